import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from projectmap.errors import CrsError, ProjectmapError
from projectmap.places.crs import (
    bd09_to_wgs84,
    crs_label,
    distance_m,
    from_wgs84,
    gcj02_to_wgs84,
    normalize_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# A WGS-84 point in 下陆区, Huangshi.
HUANGSHI = (115.03, 30.20)


def test_gcj02_offset_near_huangshi() -> None:
    lon, lat = wgs84_to_gcj02(*HUANGSHI)
    assert lon - HUANGSHI[0] == pytest.approx(0.0053, abs=3e-4)
    assert lat - HUANGSHI[1] == pytest.approx(-0.0025, abs=3e-4)
    assert 500 < distance_m(HUANGSHI, (lon, lat)) < 650


def test_bd09_offset_near_huangshi() -> None:
    lon, lat = wgs84_to_bd09(*HUANGSHI)
    assert lon - HUANGSHI[0] == pytest.approx(0.0119, abs=3e-4)
    assert lat - HUANGSHI[1] == pytest.approx(0.0032, abs=3e-4)


def test_gcj02_to_wgs84_inverts_the_offset() -> None:
    assert distance_m(gcj02_to_wgs84(*wgs84_to_gcj02(*HUANGSHI)), HUANGSHI) < 1.0
    # A GCJ-02 point read back is about 580 m south-west of where it was read.
    assert distance_m(gcj02_to_wgs84(*HUANGSHI), HUANGSHI) > 500


in_china = st.tuples(st.floats(75.0, 134.0), st.floats(18.0, 53.0))


@given(in_china)
def test_round_trips_stay_within_a_metre(point: tuple[float, float]) -> None:
    assert distance_m(gcj02_to_wgs84(*wgs84_to_gcj02(*point)), point) < 1.0
    assert distance_m(bd09_to_wgs84(*wgs84_to_bd09(*point)), point) < 1.0


def test_points_outside_china_are_left_alone() -> None:
    paris = (2.35, 48.86)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == paris
    assert bd09_to_wgs84(*paris) == paris


@pytest.mark.parametrize(
    "geometry",
    [
        Point(115.03, 30.20),
        LineString([(115.00, 30.18), (115.02, 30.19), (115.04, 30.20)]),
        Polygon([(114.95, 30.17), (115.05, 30.17), (115.05, 30.22), (114.95, 30.17)]),
    ],
    ids=["point", "line", "polygon"],
)
@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_geometries_convert_vertex_by_vertex(geometry: BaseGeometry, crs: str) -> None:
    pair = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}[crs]
    converted = to_wgs84(geometry, crs)
    assert converted.geom_type == geometry.geom_type
    expected = [pair(x, y) for x, y in shapely.get_coordinates(geometry)]
    np.testing.assert_allclose(shapely.get_coordinates(converted), expected)
    back = from_wgs84(converted, crs)
    assert back.hausdorff_distance(geometry) < 1e-5  # about a metre


def test_wgs84_geometry_is_returned_unchanged() -> None:
    point = Point(*HUANGSHI)
    assert to_wgs84(point, "WGS-84") is point
    assert from_wgs84(point, "cgcs2000") is point


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("wgs84", "wgs84"), ("WGS-84", "wgs84"), ("WGS 84", "wgs84"), ("EPSG:4326", "wgs84"),
        ("cgcs2000", "wgs84"), ("CGCS2000", "wgs84"),
        ("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("gcj_02", "gcj02"), ("AMap", "gcj02"),
        ("bd09", "bd09"), ("BD-09", "bd09"), ("bd09ll", "bd09"), ("Baidu", "bd09"),
    ],
)  # fmt: skip
def test_normalize_crs_accepts_common_spellings(spelling: str, canonical: str) -> None:
    assert normalize_crs(spelling) == canonical


def test_crs_label() -> None:
    assert [crs_label(c) for c in ("gcj-02", "bd09", "cgcs2000")] == ["GCJ-02", "BD-09", "WGS-84"]


@pytest.mark.parametrize("spelling", ["web mercator", "EPSG:3857", ""])
def test_unknown_crs_raises_a_clear_error(spelling: str) -> None:
    with pytest.raises(CrsError, match="use wgs84, gcj02 or bd09") as info:
        to_wgs84(Point(*HUANGSHI), spelling)
    assert isinstance(info.value, ProjectmapError)
    assert isinstance(info.value, ValueError)


def test_distance_m_of_one_degree_of_latitude() -> None:
    assert distance_m((115.0, 30.0), (115.0, 31.0)) == pytest.approx(111_195, rel=1e-3)
