#!/usr/bin/python3
"""The work of async_io_bench through Python's aiofiles, the peer issue 10 compares against.

Run with Debian's python3 (its python3-aiofiles; /usr/bin/python3 rather than a python3 from
PATH that may not have it):

    /usr/bin/python3 bench/aiofiles_bench.py [--repetitions 3] [--random-reads 16384]

Like async_io_bench it makes two 1 GiB files of the same bytes in a fresh directory under
$ATOMICIO_BENCH_DIR (default /var/tmp), flushes them once, and removes the directory at the
end. Reads are warm (each pass first reads its file once, untimed, as this VM pages out file
pages left unused for about a minute); writes overwrite the existing cached file without
fsync in the timed part, and each write pass is followed by an untimed os.fdatasync, as in
async_io_bench. Every row runs `--repetitions` times; the table gives the
median MB/s (1 MB = 10**6 bytes) and operations per second, and the spread.

Rows:
  seq-read / seq-write <chunk>   one aiofiles file, `await f.read(chunk)` / `await f.write(buf)`
                                  in a loop (aiofiles has no positional I/O on its file object,
                                  so one operation is in flight);
  rand-read 4KiB seek+read       per operation `await f.seek(o)` then `await f.read(4096)`; with
                                  32 in flight, asyncio.gather of 32 tasks, each with its own
                                  file object (its own cursor);
  rand-read 4KiB pread           `aiofiles.os.wrap(os.pread)` (one executor hop per read): 1 in
                                  flight, or 32 tasks on one descriptor under asyncio.gather;
  python-sync rows               os.pread / os.pwrite in a plain loop, no aiofiles: what the
                                  interpreter alone costs, for reading the aiofiles rows.
aiofiles runs each call in asyncio's default executor, a ThreadPoolExecutor of
min(32, cpu_count + 4) threads.
"""

import argparse
import asyncio
import importlib.metadata
import os
import random
import shutil
import statistics
import tempfile
import time

import aiofiles
import aiofiles.os

FILE_SIZE = 1 << 30
BLOCK = 4096
MIB = 1 << 20


def pattern(size):
    return bytes(ord("a") + i % 26 for i in range(size))


def warm(path):
    """Reads all of `path`: this VM pages out file pages left unused for about a minute."""
    fd = os.open(path, os.O_RDONLY)
    try:
        for offset in range(0, FILE_SIZE, MIB):
            os.pread(fd, MIB, offset)
    finally:
        os.close(fd)


def make_file(path):
    chunk = pattern(MIB)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        for offset in range(0, FILE_SIZE, MIB):
            os.pwrite(fd, chunk, offset)
        os.fdatasync(fd)
    finally:
        os.close(fd)


async def seq_read(path, chunk):
    done = 0
    async with aiofiles.open(path, "rb") as f:
        start = time.perf_counter()
        while True:
            data = await f.read(chunk)
            if not data:
                break
            done += len(data)
        elapsed = time.perf_counter() - start
    assert done == FILE_SIZE
    return elapsed, FILE_SIZE // chunk


async def seq_write(path, chunk):
    data = pattern(chunk)
    async with aiofiles.open(path, "r+b") as f:
        start = time.perf_counter()
        for _ in range(FILE_SIZE // chunk):
            await f.write(data)
        await f.flush()
        elapsed = time.perf_counter() - start
        os.fdatasync(f.fileno())  # untimed: the next pass starts from clean cached pages
    return elapsed, FILE_SIZE // chunk


async def rand_seek_read(path, offsets, depth):
    files = [await aiofiles.open(path, "rb") for _ in range(depth)]
    next_index = iter(range(len(offsets)))

    async def worker(f):
        for k in next_index:
            await f.seek(offsets[k])
            assert len(await f.read(BLOCK)) == BLOCK

    try:
        start = time.perf_counter()
        await asyncio.gather(*(worker(f) for f in files))
        elapsed = time.perf_counter() - start
    finally:
        for f in files:
            await f.close()
    return elapsed, len(offsets)


async def rand_pread(path, offsets, depth):
    pread = aiofiles.os.wrap(os.pread)
    fd = os.open(path, os.O_RDONLY)
    next_index = iter(range(len(offsets)))

    async def worker():
        for k in next_index:
            assert len(await pread(fd, BLOCK, offsets[k])) == BLOCK

    try:
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(depth)))
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
    return elapsed, len(offsets)


async def sync_pread_loop(path, size, offsets):
    fd = os.open(path, os.O_RDONLY)
    try:
        start = time.perf_counter()
        for offset in offsets:
            assert len(os.pread(fd, size, offset)) == size
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
    return elapsed, len(offsets)


async def sync_pwrite_loop(path, chunk):
    data = pattern(chunk)
    fd = os.open(path, os.O_WRONLY)
    try:
        start = time.perf_counter()
        for offset in range(0, FILE_SIZE, chunk):
            os.pwrite(fd, data, offset)
        elapsed = time.perf_counter() - start
        os.fdatasync(fd)
    finally:
        os.close(fd)
    return elapsed, FILE_SIZE // chunk


def rows(read_path, write_path, offsets):
    for chunk, name in ((64 << 10, "64KiB"), (MIB, "1MiB")):
        yield f"seq-read {name} aiofiles", chunk, lambda c=chunk: seq_read(read_path, c)
        yield f"seq-read {name} python-sync", chunk, lambda c=chunk: sync_pread_loop(
            read_path, c, range(0, FILE_SIZE, c))
    for chunk, name in ((64 << 10, "64KiB"), (MIB, "1MiB")):
        yield f"seq-write {name} aiofiles", chunk, lambda c=chunk: seq_write(write_path, c)
        yield f"seq-write {name} python-sync", chunk, lambda c=chunk: sync_pwrite_loop(write_path, c)
    for depth in (1, 32):
        yield f"rand-read 4KiB seek+read depth:{depth}", BLOCK, lambda d=depth: rand_seek_read(read_path, offsets, d)
        yield f"rand-read 4KiB pread depth:{depth}", BLOCK, lambda d=depth: rand_pread(read_path, offsets, d)
    yield "rand-read 4KiB python-sync", BLOCK, lambda: sync_pread_loop(read_path, BLOCK, offsets)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--random-reads", type=int, default=16384,
                        help="4 KiB reads per random pass (async_io_bench does 65536)")
    parser.add_argument("--filter", default="", help="run only rows whose name contains this")
    args = parser.parse_args()

    parent = os.environ.get("ATOMICIO_BENCH_DIR") or "/var/tmp"
    directory = tempfile.mkdtemp(prefix="atomicio-aiofiles-bench-", dir=parent)
    try:
        read_path = os.path.join(directory, "read.bin")
        write_path = os.path.join(directory, "write.bin")
        make_file(read_path)
        make_file(write_path)
        generator = random.Random(20261122)
        offsets = [generator.randrange(FILE_SIZE // BLOCK) * BLOCK for _ in range(args.random_reads)]
        print(f"aiofiles {importlib.metadata.version('aiofiles')}, files in {directory}, "
              f"{args.repetitions} repetitions; median (min..max)")
        print(f"{'row':42} {'MB/s':>24} {'ops/s':>26}")
        for name, size, run in rows(read_path, write_path, offsets):
            if args.filter not in name:
                continue
            mb_per_s, ops_per_s = [], []
            for _ in range(args.repetitions):
                warm(write_path if name.startswith("seq-write") else read_path)
                elapsed, ops = asyncio.run(run())
                mb_per_s.append(ops * size / elapsed / 1e6)
                ops_per_s.append(ops / elapsed)
            print(f"{name:42} {statistics.median(mb_per_s):9.1f} ({min(mb_per_s):6.0f}..{max(mb_per_s):6.0f}) "
                  f"{statistics.median(ops_per_s):10.0f} ({min(ops_per_s):6.0f}..{max(ops_per_s):6.0f})", flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
