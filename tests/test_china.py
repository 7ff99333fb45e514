from projectmap.places import china


def test_shipped_index_matches_the_jionlp_dictionary(tmp_path):
    path = tmp_path / "index.tsv"
    china.write_admin_index(china.build_admin_index(), path)
    assert path.read_text(encoding="utf-8") == china.INDEX_PATH.read_text(encoding="utf-8")


def test_index_hierarchy():
    index = china.AdminIndex.load()
    assert [u.name for u in index.chain("420204")] == ["下陆区", "黄石市", "湖北省"]
    assert [u.code for u in index.chain("110101")] == ["110101", "110000"]
    assert index.label("420204") == "湖北省黄石市下陆区"


def test_skeleton_of_a_far_county_has_its_outline_and_townships():
    entries = {e.id: e for e in china.skeleton(["330110"], china.AdminIndex.load())}
    county = entries["330110"]
    assert county.name == "余杭区" and county.geometry is not None
    minx, miny, maxx, maxy = county.geometry.bounds
    assert 119.5 < minx < maxx < 120.3 and 30.0 < miny < maxy < 30.7
    township = entries["330110/仓前街道"]
    assert township.parent == "330110" and township.aliases == ("仓前",)
    communities = [e for e in entries.values() if e.type == "community"]
    assert communities and all(not e.aliases for e in communities)
    assert entries["330000"].admin_level == 1


def test_seats_from_geonames_points(tmp_path):
    index = china.AdminIndex.load()
    entries = china.skeleton(["420204"], index)
    seat = china.SeatPoint("7757671", ("团城山街道", "团城山"), 115.02868, 30.20192)
    far = china.SeatPoint("1", ("东方山街道",), 100.0, 20.0)
    placed = {e.id: e for e in china.with_seats(entries, [seat, far])}
    assert placed["420204/团城山街道"].geometry.coords[0] == (115.02868, 30.20192)
    assert "GeoNames 7757671" in placed["420204/团城山街道"].source
    assert placed["420204/东方山街道"].geometry is None


def test_codes_from_a_csv(tmp_path):
    csv_file = tmp_path / "codes.csv"
    csv_file.write_text("id,code,source\n420204/团城山街道,420204004000,quhua\n", encoding="utf-8")
    entries = china.with_codes(china.skeleton(["420204"], china.AdminIndex.load()), csv_file)
    coded = [e for e in entries if e.code]
    assert [(e.id, e.code) for e in coded] == [("420204/团城山街道", "420204004000")]
    assert coded[0].source.endswith("quhua (code)")
