"""The pose pass that rides on the bar's decode: which frames the pose model reads, the re-read at a rep's
bottom, the model loading in a thread, and a missing model costing only the body measures."""

from __future__ import annotations

import numpy as np

from models.pose.keypoints import Keypoints
from vision.body import BodyPass, BodyTrack


class _Counting:
    name = "fake"

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.closed = False

    def __call__(self, image: np.ndarray, t: float, frame_index: int) -> Keypoints:
        self.calls.append(frame_index)
        xy = np.full((1, 17, 2), 10.0)
        xy[0, :, 1] = frame_index  # a landmark that says which frame it came from
        return Keypoints(xy, np.ones((1, 17)), t=t, frame_index=frame_index)

    def close(self) -> None:
        self.closed = True


def _feed(body: BodyPass, n: int = 60, fps: float = 30.0) -> None:
    image = np.zeros((200, 100), np.uint8)
    for i in range(n):
        body.feed(i, i / fps, image)


def test_samples_then_rereads_the_bottom_with_the_same_model():
    backend = _Counting()
    body = BodyPass(backend, 30.0, display_width=100)
    _feed(body)
    body.wait()  # the frames are read in the pass's worker thread
    assert backend.calls == list(range(0, 60, 6))  # 5 reads a second at 30 fps
    body.backend.close()  # the caller's close waits for the re-read
    assert not backend.closed
    backend.calls.clear()
    body.refine([40 / 30])  # a rep's bottom at frame 40
    recorded = sorted(i for i in backend.calls if i in {39, 40, 41})
    assert recorded == [39, 40, 41] and backend.calls[:2] == [37, 38]  # two warm-up frames first
    track = body.track()
    assert {39, 40, 41} <= set(track.index.tolist()) and not {37, 38} & set(track.index.tolist())
    assert backend.closed
    i = track.index.tolist().index(40)
    assert track.xy[i, 0, 0, 1] == 40  # landmarks stored with their frame, in displayed pixels (width 100)


def test_model_loading_in_a_thread_loses_no_sampled_frame():
    backend = _Counting()
    body = BodyPass.loading(lambda: backend, 30.0, display_width=100)
    _feed(body)
    body.refine([])
    assert set(range(0, 60, 6)) <= set(body.track().index.tolist())


def test_a_missing_model_is_said_not_raised():
    def missing():
        raise FileNotFoundError("blazepose-full is not installed")

    body = BodyPass.loading(missing, 30.0, display_width=100)
    _feed(body)
    body.refine([1.0])
    assert "not installed" in (body.failed or "")
    assert len(body.track()) == 0


def test_landmarks_round_trip(tmp_path):
    xy = np.random.default_rng(1).random((4, 2, 17, 2)) * 100
    track = BodyTrack(np.arange(4) / 5, np.arange(4) * 6, xy, np.ones((4, 2, 17)) * 0.5, "blazepose")
    back = BodyTrack.load(track.save(tmp_path / "landmarks.npz"))
    assert np.allclose(back.xy, xy, atol=1e-3) and back.backend == "blazepose" and back.index.tolist() == [0, 6, 12, 18]


def test_pose_reads_happen_beside_the_feeding_thread_in_frame_order():
    """The decoding loop hands frames over and goes on following the bar; the model reads them in a worker, in
    the order they came (MediaPipe's VIDEO mode needs growing timestamps, and the landmarks must not change)."""
    import threading

    threads: list[str] = []

    class _Where(_Counting):
        def __call__(self, image: np.ndarray, t: float, frame_index: int) -> Keypoints:
            threads.append(threading.current_thread().name)
            return super().__call__(image, t, frame_index)

    backend = _Where()
    body = BodyPass(backend, 30.0, display_width=100)
    _feed(body, n=90)
    body.wait()
    assert backend.calls == list(range(0, 90, 6))
    assert threads and threading.current_thread().name not in threads
