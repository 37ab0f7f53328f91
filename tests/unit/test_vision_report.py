"""The rep table and summary say when a rep was not measured, and never print a number for it."""

from __future__ import annotations

from vision.report import markdown, rep_table, summary


def _rep(n: int, mcv: float | None, note: str | None = None) -> dict:
    keys = ("rom_m", "rom_sd", "concentric_s", "concentric_sd", "mcv_sd", "peak_v", "peak_v_sd", "mpv", "mpv_sd",
            "horizontal_dev_m", "horizontal_dev_sd", "eccentric_s")  # fmt: skip
    base = {k: (0.5 if mcv is not None else None) for k in keys}
    loss = None if mcv is None else 0.0
    return base | {"number": n, "start_t": 2.0 * n, "end_t": 2.0 * n + 0.8, "mcv": mcv, "velocity_loss_pct": loss,
                   "measured": mcv is not None, "note": note}  # fmt: skip


def _result(reps: list[dict], loss: float | None) -> dict:
    return {
        "lift": "squat", "load_kg": 100.0, "reps": reps, "velocity_loss_pct": loss, "source": "plate", "notes": [],
        "scale": {"method": "plate diameter 450 mm (300 px)"},
        "video": {"width": 360, "height": 640, "fps": 30.0, "vfr": False, "rotation": 0, "duration_s": 8.0},
    }  # fmt: skip


def test_a_lost_rep_is_said_not_numbered() -> None:
    result = _result([_rep(1, 0.71), _rep(2, None, "bar lost 2.9–3.4 s, not measured"), _rep(3, 0.62)], 12.7)
    table = rep_table(result)
    row = next(line for line in table.splitlines() if line.startswith("| 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "bar lost 2.9–3.4 s, not measured" and all(c == "" for c in cells[2:])
    text = summary(result)
    assert text.startswith("3 squat reps") and "0.71" in text and "0.62" in text
    assert "rep 2: bar lost 2.9–3.4 s, not measured" in text
    assert "velocity loss 13%" in text
    assert "rep 2" in markdown(result)


def test_no_rep_measured() -> None:
    result = _result([_rep(1, None, "followed by the hands (no plate seen): counted, speeds not measured")], None)
    text = summary(result)
    assert text.startswith("1 squat rep with 100 kg; none could be measured")
    assert "m/s" not in text and "velocity loss" not in text
