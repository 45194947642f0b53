from famachat_ml_pipeline.counted import counted, listed


def test_one_is_singular_and_the_rest_plural_with_thousands_grouped() -> None:
    assert counted(1, "account") == "1 account"
    assert [counted(n, "account") for n in (0, 2)] == ["0 accounts", "2 accounts"]
    assert counted(1234, "source row") == "1,234 source rows"
    assert counted(3, "critical anomaly", "critical anomalies") == "3 critical anomalies"
    assert counted(1, "critical anomaly", "critical anomalies") == "1 critical anomaly"


def test_listed_joins_with_commas_and_a_last_and() -> None:
    assert [listed([]), listed(["a"]), listed(["a", "b"])] == ["", "a", "a and b"]
    assert listed(["code server", "daemon", "webserver"]) == "code server, daemon and webserver"
