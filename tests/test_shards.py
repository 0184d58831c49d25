"""`make test` deals the test files to one pytest process per core (tests/shards.py): every
file in exactly one shard, each shard with a database and a Redis database of its own."""

from tests import shards


def test_every_test_file_is_dealt_to_exactly_one_shard():
    files = shards.test_files()
    dealt = shards.deal(files, 2)
    assert sorted(dealt[0] + dealt[1]) == files
    assert set(dealt[0]).isdisjoint(dealt[1])
    assert abs(len(dealt[0]) - len(dealt[1])) <= 1
    assert "tests/test_shards.py" in files


def test_each_shard_has_its_own_database_and_redis_database():
    url = "postgres://postgres@127.0.0.1:5432/amanah"
    assert [shards.database_url_for(url, n) for n in (1, 2)] == [
        "postgres://postgres@127.0.0.1:5432/amanah_s1",
        "postgres://postgres@127.0.0.1:5432/amanah_s2"]
    assert [shards.redis_url_for("redis://127.0.0.1:6379/0", n) for n in (1, 2)] == [
        "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"]
    assert shards.redis_url_for("redis://127.0.0.1:6379/15", 2) == "redis://127.0.0.1:6379/0"


def test_arguments_that_name_tests_run_unsharded():
    assert shards.names_tests(["tests/permits", "-q"]) is True
    assert shards.names_tests(["tests/test_shards.py::test_x"]) is True
    assert shards.names_tests(["-q", "-x"]) is False
