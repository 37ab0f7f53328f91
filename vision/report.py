"""The per-rep table and the summary sentence, written by code from an analysis result (`to_dict()`).

Every number carries its uncertainty (±, one standard deviation) so a lifter sees how much to trust it.
"""

from __future__ import annotations

from typing import Any


def _pm(value: float, sd: float, digits: int = 2) -> str:
    return f"{value:.{digits}f} ± {sd:.{digits}f}"


def rep_table(result: dict[str, Any]) -> str:
    reps = result.get("reps", [])
    if not reps:
        return "_No whole rep found._"
    lines = [
        "| rep | mean conc. velocity (m/s) | peak (m/s) | mean propulsive (m/s) | ROM (cm) | conc. time (s) "
        "| bar drift (cm) | velocity loss |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in reps:
        if r.get("mcv") is None:  # not measured (bar lost) or withheld (implausible): say so, no number
            lines.append(f"| {r['number']} | {r.get('note') or 'not measured'} | | | | | | |")
            continue
        loss = r.get("velocity_loss_pct")
        lines.append(
            f"| {r['number']} | {_pm(r['mcv'], r['mcv_sd'])} | {_pm(r['peak_v'], r['peak_v_sd'])} "
            f"| {_pm(r['mpv'], r['mpv_sd'])} | {_pm(r['rom_m'] * 100, r['rom_sd'] * 100, 0)} "
            f"| {_pm(r['concentric_s'], r['concentric_sd'])} "
            f"| {_pm(r['horizontal_dev_m'] * 100, r['horizontal_dev_sd'] * 100, 1)} "
            f"| {'' if loss is None else f'{loss:.0f}%'} |"
        )
    return "\n".join(lines)


def summary(result: dict[str, Any]) -> str:
    reps = result.get("reps", [])
    load = f" with {result['load_kg']:g} kg" if result.get("load_kg") else ""
    if not reps:
        return f"No whole {result['lift']} rep found{load}."
    count = f"{len(reps)} {result['lift']} rep{'s' if len(reps) != 1 else ''}{load}"
    measured = [r for r in reps if r.get("mcv") is not None]
    missing = [r for r in reps if r.get("mcv") is None]
    if not measured:
        text = f"{count}; none could be measured ({'; '.join(_why(r) for r in missing)})"
        return text + f". Scale: {result['scale']['method']}."
    best = max(measured, key=lambda r: r["mcv"])
    text = (
        f"{count}: fastest mean concentric velocity {best['mcv']:.2f} ± {best['mcv_sd']:.2f} m/s "
        f"(rep {best['number']}), last {measured[-1]['mcv']:.2f} m/s"
    )
    if measured[-1] is not reps[-1]:
        text += f" (rep {measured[-1]['number']})"
    if result.get("velocity_loss_pct") is not None:
        text += f", velocity loss {result['velocity_loss_pct']:.0f}%"
    if missing:
        text += "; " + "; ".join(_why(r) for r in missing)
    return text + f". Scale: {result['scale']['method']}."


def _why(rep: dict[str, Any]) -> str:
    return f"rep {rep['number']}: {rep.get('note') or 'not measured'}"


def markdown(result: dict[str, Any]) -> str:
    v = result["video"]
    parts = [
        f"**{summary(result)}**",
        "",
        rep_table(result),
        "",
        f"_Video: {v['width']}x{v['height']}, {v['fps']:.1f} fps{' (variable)' if v['vfr'] else ''}, "
        f"rotation {v['rotation']}°, {v['duration_s']:.1f} s; tracked: {result['source']}._",
    ]
    parts += [f"\n_{n}_" for n in result.get("notes", [])]
    return "\n".join(parts)
