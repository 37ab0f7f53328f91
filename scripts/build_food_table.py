"""Build the compact generic-food table (USDA SR24) that ships in `nutrition/data/`.

The source is the Debian package `cronometer` (0.9.9+dfsg1-1), which carries the USDA National
Nutrient Database for Standard Reference, release 24 (public domain), as one XML file per food inside
`/usr/share/cronometer/usda_sr24.jar`. We keep only what a food diary needs, per 100 g: energy,
protein, carbohydrate, fat, fibre, sugars, saturated fat, sodium, plus every household measure
("1 cup = 158 g"), so "a cup of cooked rice" becomes grams without a model guessing.

Run it once after changing the format; the result is committed (no download at run time):

    uv run python scripts/build_food_table.py            # apt-get download cronometer into a temp dir
    uv run python scripts/build_food_table.py --deb cronometer_0.9.9+dfsg1-1_all.deb
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "nutrition" / "data"
JAR = "usr/share/cronometer/usda_sr24.jar"

# Cronometer's nutrient names -> our columns (all per 100 g; sodium in mg as in SR24).
NUTRIENTS = {
    "Energy": "kcal",
    "Protein": "protein_g",
    "Carbs": "carbs_g",
    "Fat": "fat_g",
    "Fiber": "fiber_g",
    "Sugars": "sugars_g",
    "Saturated": "sat_fat_g",
    "Sodium": "sodium_mg",
}
FOOD_COLUMNS = ["id", "name", "group", *NUTRIENTS.values()]
MEASURE_COLUMNS = ["food_id", "amount", "name", "grams"]

# Values the USDA publishes for these foods; a build that disagrees is refused.
CHECKS = {
    "09040": {"kcal": 89.0},  # Bananas, raw
    "20045": {"kcal": 130.0},  # Rice, white, long-grain, regular, cooked
    "05064": {"kcal": 165.0, "protein_g": 31.02},  # Chicken breast, meat only, roasted
}


def fetch_deb(workdir: Path) -> Path:
    """`apt-get download cronometer` into `workdir` (Debian's archive, no other network)."""
    subprocess.run(["apt-get", "download", "cronometer"], cwd=workdir, check=True)
    debs = sorted(workdir.glob("cronometer_*.deb"))
    if not debs:
        raise SystemExit("apt-get download produced no cronometer .deb")
    return debs[-1]


def extract_jar(deb: Path, workdir: Path) -> Path:
    target = workdir / "pkg"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True)
    jar = target / JAR
    if not jar.exists():
        raise SystemExit(f"{JAR} not found in {deb.name}")
    return jar


def _num(text: str | None) -> str:
    """Trim the XML's float text ('0.0090' -> '0.009') so the table stays small and diffable."""
    if text is None or text == "":
        return ""
    value = float(text)
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def read_foods(jar: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Parse the current SR24 foods (those listed in foods.index; deprecated entries are left out)."""
    foods: list[dict[str, str]] = []
    measures: list[dict[str, str]] = []
    with zipfile.ZipFile(jar) as zf:
        index = zf.read("usda_sr24/foods.index").decode("utf-8").splitlines()
        for line in index:
            uid, _, _name = line.partition("|")
            if not uid:
                continue
            root = ET.fromstring(zf.read(f"usda_sr24/{uid}.xml"))
            row = {"id": uid, "name": " ".join(root.get("name", "").split()), "group": uid[:2]}
            for col in NUTRIENTS.values():
                row[col] = ""
            for n in root.iter("nutrient"):
                col = NUTRIENTS.get(n.get("name", ""))
                if col:
                    row[col] = _num(n.get("amount"))
            foods.append(row)
            for m in root.iter("measure"):
                measures.append(
                    {
                        "food_id": uid,
                        "amount": _num(m.get("amount")),
                        "name": " ".join(m.get("name", "").split()),
                        "grams": _num(m.get("grams")),
                    }
                )
    foods.sort(key=lambda r: r["id"])
    return foods, measures


def check(foods: list[dict[str, str]]) -> None:
    by_id = {f["id"]: f for f in foods}
    for uid, expected in CHECKS.items():
        for col, value in expected.items():
            got = float(by_id[uid][col])
            if abs(got - value) > 1e-6:
                raise SystemExit(f"check failed: {by_id[uid]['name']} {col} = {got}, expected {value}")


def write(foods: list[dict[str, str]], measures: list[dict[str, str]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows, cols in (("foods.tsv", foods, FOOD_COLUMNS), ("measures.tsv", measures, MEASURE_COLUMNS)):
        # Plain tab-separated lines (no quoting): names never hold tabs or newlines (checked here).
        lines = ["\t".join(cols)]
        for row in rows:
            cells = [row[c] for c in cols]
            if any("\t" in c or "\n" in c for c in cells):
                raise SystemExit(f"tab or newline inside a cell: {cells}")
            lines.append("\t".join(cells))
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deb", type=Path, help="a downloaded cronometer .deb (default: apt-get download)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        deb = args.deb.resolve() if args.deb else fetch_deb(work)
        foods, measures = read_foods(extract_jar(deb, work))
    check(foods)
    write(foods, measures, args.out)
    size = sum((args.out / n).stat().st_size for n in ("foods.tsv", "measures.tsv"))
    print(f"{len(foods)} foods, {len(measures)} measures -> {args.out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
