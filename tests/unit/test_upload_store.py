"""The upload store is picked by configuration: the data dir unless UPLOADS_URL names a bucket; a malformed
UPLOADS_URL is refused at start with a message that says the accepted forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerforge.config import Settings
from storage.upload_store import DirectoryStore, S3Store, parse_s3_url, store_for


def test_the_directory_is_the_default_store(tmp_path: Path) -> None:
    s = Settings(_env_file=None, data_dir=tmp_path)
    store = store_for(s.files_dir, s)
    assert isinstance(store, DirectoryStore) and store.root == s.files_dir


def test_a_bucket_url_selects_the_s3_store_with_the_files_dir_as_its_cache(tmp_path: Path) -> None:
    s = Settings(_env_file=None, data_dir=tmp_path, uploads_url="s3://team-bucket/power/forge/",
                 s3_endpoint_url="http://127.0.0.1:9000", s3_region="auto")  # fmt: skip
    store = store_for(s.files_dir, s)
    assert isinstance(store, S3Store)
    assert (store.cfg.bucket, store.cfg.prefix, store.cfg.region) == ("team-bucket", "power/forge", "auto")
    assert store.key("uploads/1/x.mp4") == "power/forge/uploads/1/x.mp4"
    assert store.cached_path("uploads/1/x.mp4") == (s.files_dir / "uploads/1/x.mp4").resolve()
    assert parse_s3_url("s3://only-bucket") == ("only-bucket", "")


@pytest.mark.parametrize("bad", ["team-bucket", "https://team-bucket.s3.amazonaws.com", "s3://", "s3:///prefix"])
def test_a_malformed_uploads_url_is_refused_with_the_accepted_forms(bad: str) -> None:
    with pytest.raises(ValueError, match=r"s3://bucket\[/prefix\]"):
        Settings(_env_file=None, uploads_url=bad)
