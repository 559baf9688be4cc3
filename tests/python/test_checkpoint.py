"""riffforge.checkpoint: the TensorFlow-free TF1 checkpoint reader on real Magenta checkpoints."""
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from riffforge.checkpoint import CheckpointError, CheckpointReader, read_checkpoint
from riffforge.checkpoint.crc32c import crc32c, mask, unmask
from riffforge.checkpoint.protowire import decode_message, read_varint

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "magenta"
DRUMS = FIXTURES / "cat-drums_2bar_small" / "checkpoint"


def test_crc32c_known_values_and_lane_path():
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    assert crc32c(b"") == 0
    data = np.random.default_rng(0).integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    small = 0xFFFFFFFF
    from riffforge.checkpoint.crc32c import _extend_py
    assert crc32c(data) == _extend_py(small, data) ^ 0xFFFFFFFF  # lane-parallel == byte loop
    assert unmask(mask(0x12345678)) == 0x12345678


def test_protowire_varints_and_fields():
    assert read_varint(bytes([0xAC, 0x02]), 0) == (300, 2)
    msg = decode_message(bytes([0x08, 0x96, 0x01, 0x12, 0x02, 0x61, 0x62, 0x35, 1, 0, 0, 0]))
    assert msg == {1: [150], 2: [b"ab"], 6: [1]}


def test_reads_every_variable_with_shapes():
    r = CheckpointReader(DRUMS)
    assert r.num_shards == 1
    e = r.entries["decoder/multi_rnn_cell/cell_0/lstm_cell/kernel"]
    assert e.shape == (1024, 1024) and e.dtype_name == "float32"
    assert r.entries["encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/kernel"].shape == (522, 2048)
    v = read_checkpoint(DRUMS)
    assert len(v) == 17 and "global_step" in v and v["global_step"].dtype == np.int64
    assert int(v["global_step"]) == 300
    assert all(np.isfinite(a).all() for k, a in v.items() if a.dtype == np.float32)


@pytest.mark.parametrize("form", ["dir", "prefix", "index", "tar"])
def test_accepts_directory_prefix_index_and_tar(form, tmp_path):
    ref = read_checkpoint(DRUMS)
    if form == "dir":
        src = DRUMS
    elif form == "prefix":
        src = DRUMS / "model.ckpt"
    elif form == "index":
        src = DRUMS / "model.ckpt.index"
    else:
        src = tmp_path / "cat-drums_2bar_small.tar"
        with tarfile.open(src, "w") as tar:
            for f in ("model.ckpt.index", "model.ckpt.data-00000-of-00001"):
                tar.add(DRUMS / f, arcname=f"cat-drums_2bar_small.ckpt{f[len('model.ckpt'):]}")
    got = read_checkpoint(src)
    assert sorted(got) == sorted(ref)
    np.testing.assert_array_equal(got["encoder/mu/kernel"], ref["encoder/mu/kernel"])


def _copy(tmp_path):
    dst = tmp_path / "ckpt"
    shutil.copytree(DRUMS, dst)
    for f in dst.iterdir():
        f.chmod(0o644)
    return dst


def test_corrupt_data_names_variable(tmp_path):
    dst = _copy(tmp_path)
    r = CheckpointReader(dst)
    e = r.entries["encoder/mu/kernel"]
    data = dst / "model.ckpt.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[e.offset + 100] ^= 0x40
    data.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"encoder/mu/kernel.*CRC-32C.*corrupt"):
        read_checkpoint(dst)


def test_truncated_data_and_missing_shard(tmp_path):
    dst = _copy(tmp_path)
    data = dst / "model.ckpt.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="truncated"):
        read_checkpoint(dst)
    data.unlink()
    with pytest.raises(CheckpointError, match="shard 0 of 1 is missing"):
        read_checkpoint(dst)


def test_corrupt_index(tmp_path):
    dst = _copy(tmp_path)
    index = dst / "model.ckpt.index"
    raw = bytearray(index.read_bytes())
    raw[40] ^= 0xFF  # inside the data block
    index.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="model.ckpt.index: corrupt checkpoint index.*CRC-32C"):
        CheckpointReader(dst)
    index.write_bytes(b"not a checkpoint at all" * 3)
    with pytest.raises(CheckpointError, match="magic"):
        CheckpointReader(dst)


def test_nothing_there(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint here"):
        CheckpointReader(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="cannot tell which checkpoint"):
        CheckpointReader(tmp_path / "empty")
