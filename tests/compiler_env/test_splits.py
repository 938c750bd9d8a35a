"""Datasets' train/validation/test splits: fixed, disjoint, the same in every process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compiler_env.datasets import SPLITS, SeedUris, hash_split, split_bucket
from service.datasets.manifests import datasets_roots
from service.proto.errors import InvalidArgument


@pytest.mark.parametrize(
    "name, max_seed", [("csmith-v0", 2**32 - 1), ("llvm-stress-v0", 2**31 - 1)]
)
def test_a_generators_splits_are_fixed_seed_ranges(make_env, name: str, max_seed: int) -> None:
    dataset = make_env().datasets[name]
    train, validation, test = (dataset.split(split) for split in SPLITS)
    assert all(isinstance(split, SeedUris) for split in (train, validation, test))
    assert test.seeds == range(max_seed - 9_999, max_seed + 1)
    assert validation.seeds == range(max_seed - 19_999, max_seed - 9_999)
    assert train.seeds == range(0, max_seed - 19_999)  # together: every seed, once each
    assert train[:2] == [f"generator://{name}/0", f"generator://{name}/1"]
    assert test[-1] == f"generator://{name}/{max_seed}"
    assert len(validation) == len(test) == 10_000
    with pytest.raises(TypeError, match="too many to list"):
        len(train)
    last_train = f"generator://{name}/{max_seed - 20_000}"
    assert last_train in train and last_train not in validation and last_train not in test
    assert validation[0] in validation and validation[0] not in train
    assert dataset.split("train") == train  # the same range every time


def test_kernels_v0_is_the_test_set_as_a_whole(make_env) -> None:
    kernels = make_env().datasets["kernels-v0"]
    assert kernels.split("test") == kernels.benchmark_uris()
    for split in ("train", "validation"):
        with pytest.raises(InvalidArgument, match=rf"no {split} split.*csmith-v0"):
            kernels.split(split)


def test_an_unknown_split_is_refused(make_env) -> None:
    with pytest.raises(InvalidArgument, match="'train', 'validation', 'test'"):
        make_env().datasets["csmith-v0"].split("training")


def test_buckets_are_a_stable_hash_of_the_name() -> None:
    # Pinned (Python's hash() of a str changes from process to process): a change of
    # the hash would move benchmarks between splits.
    assert (split_bucket("crc32"), split_bucket("fft"), split_bucket("prog0")) == (47, 32, 50)
    uris = [f"benchmark://many-v0/prog{i}" for i in range(1000)]
    parts = {split: hash_split(uris, split, "benchmark://many-v0/") for split in SPLITS}
    assert sorted(sum(parts.values(), [])) == sorted(uris)  # disjoint, and all of them
    assert [len(parts[split]) for split in SPLITS] == [799, 92, 109]
    assert parts["test"] == [uri for uri in uris if uri in set(parts["test"])]  # in order
    # A benchmark keeps its split when others join the dataset.
    more = hash_split([*uris, "benchmark://many-v0/new"], "test", "benchmark://many-v0/")
    assert set(parts["test"]) <= set(more)


def test_a_finite_datasets_splits_through_the_service(
    make_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive dataset's manifest (listing it downloads nothing)."""
    folder = tmp_path / "many-v0"
    folder.mkdir()
    names = [f"prog{i}" for i in range(60)]
    (folder / "manifest.json").write_text(json.dumps({
        "name": "many-v0", "description": "listed only", "license": "MIT",
        "url": "https://example.invalid/many.tar.gz", "sha256": "0" * 64,
        "benchmarks": [{"name": name, "sources": [f"{name}.c"]} for name in names],
    }))  # fmt: skip
    roots = [str(tmp_path), *map(str, datasets_roots())]
    monkeypatch.setenv("COMPILER_ENV_DATASETS", os.pathsep.join(roots))
    dataset = make_env().datasets["many-v0"]
    parts = {split: dataset.split(split) for split in SPLITS}
    uris = dataset.benchmark_uris()
    assert sorted(sum(parts.values(), [])) == sorted(uris)
    for split in SPLITS:
        expected = [f"benchmark://many-v0/{n}" for n in names if split_bucket(n) in _BUCKETS[split]]
        assert parts[split] == expected and expected


_BUCKETS = {"train": range(80), "validation": range(80, 90), "test": range(90, 100)}
