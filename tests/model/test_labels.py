from erpmon.model import Labels, is_valid_label_name, is_valid_metric_name


def test_labels_are_sorted_and_drop_empty_values() -> None:
    lset = Labels({"job": "api", "__name__": "up", "empty": ""})
    assert lset.pairs == (("__name__", "up"), ("job", "api"))
    assert lset.name == "up"
    assert "empty" not in lset


def test_labels_hash_and_equality_follow_pairs() -> None:
    a = Labels({"a": "1", "b": "2"})
    b = Labels([("b", "2"), ("a", "1")])
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a != Labels({"a": "1"})


def test_string_form_quotes_like_go() -> None:
    lset = Labels({"__name__": "x", "v": 'a"b\\c\nd'})
    assert str(lset) == '{__name__="x", v="a\\"b\\\\c\\nd"}'


def test_derivations_return_new_sets() -> None:
    lset = Labels({"__name__": "m", "a": "1"})
    assert lset.with_labels(b="2").to_dict() == {"__name__": "m", "a": "1", "b": "2"}
    assert lset.with_labels(a="").to_dict() == {"__name__": "m"}
    assert lset.without_name().to_dict() == {"a": "1"}
    assert lset.to_dict() == {"__name__": "m", "a": "1"}


def test_name_validity() -> None:
    assert is_valid_metric_name("job:rate5m")
    assert not is_valid_label_name("job:rate5m")
    assert not is_valid_metric_name("1abc")
    assert is_valid_label_name("_x9")
    assert not is_valid_label_name("")
