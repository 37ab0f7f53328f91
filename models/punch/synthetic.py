"""Synthetic training windows from the project's own keypoint generator (striking.synthetic).

Three broadcast videos hold 15 uppercuts; the generator can script as many punches of every type,
stance, camera side and size as wanted. They are added to the TRAINING side of every fold only
(group `SYNTHETIC`, never held out, never scored), so the held-out numbers stay about real footage.
Windows are cut off-centre (the labelled windows do not sit on the punch's peak either), the body is
squeezed sideways to mimic other camera angles, and guard-only windows are the 'none' examples.
"""

from __future__ import annotations

import numpy as np

from models.punch import CLASSES
from models.punch.classifier import window_at
from models.punch.dataset import Windows

SYNTHETIC = "synthetic"
SHAPES = ("straight", "hook", "uppercut")


def synthetic_windows(scripts: int, seed: int = 0) -> Windows:
    """4 punch windows and 3 no-punch windows from each of `scripts` random 6-second rounds."""
    from striking.synthetic import Script, ScriptedPunch, generate

    rng = np.random.default_rng(seed)
    xy, y = [], []
    for _ in range(scripts):
        times = [1.0 + 1.1 * i + rng.uniform(-0.1, 0.1) for i in range(4)]
        punches = [
            ScriptedPunch(t, str(rng.choice(["lead", "rear"])), str(rng.choice(SHAPES)),
                          target=str(rng.choice(["head", "body"], p=[0.75, 0.25])),
                          telegraph=bool(rng.random() < 0.2), drop_other=bool(rng.random() < 0.3))
            for t in times
        ]  # fmt: skip
        script = Script(duration_s=6, punches=punches, seed=int(rng.integers(2**31)),
                        facing=str(rng.choice(["left", "right"])), stance=str(rng.choice(["orthodox", "southpaw"])),
                        scale=float(rng.uniform(60, 200)), noise_px=float(rng.uniform(0.5, 3)))  # fmt: skip
        t, track, _ = generate(script)
        centre = track.reshape(-1, 2).mean(0)
        track[..., 0] = (track[..., 0] - centre[0]) * rng.uniform(0.5, 1.3) + centre[0]  # another camera angle
        for p in punches:
            xy.append(window_at(t, track, p.t + rng.uniform(-0.12, 0.08)))
            y.append(CLASSES.index(p.shape))
        for t_none in (0.4, 5.5, times[0] + 0.55):  # before, after, and between punches
            xy.append(window_at(t, track, t_none + rng.uniform(-0.05, 0.05)))
            y.append(0)
    return Windows(np.asarray(xy, np.float32), np.asarray(y, int), np.asarray([SYNTHETIC] * len(y), object))
