#!/usr/bin/env python3
"""Builds the seed corpora of the libFuzzer targets in tests/fuzz (never committed).

Usage: build_seed_corpus.py SOURCE_DIR SHARED_DIR OUT_DIR
Writes OUT_DIR/<target>/<n> files from ../shared/corpus (JSON lines, EVTX files cut to their
header and first chunk, Sigma rules), ../shared/formats, signatures/rules and tests/golden, in
the input layout each target's LLVMFuzzerTestOneInput expects (see the targets' comments).
"""
import hashlib
import json
import os
import struct
import sys

src, shared, out = sys.argv[1:4]
MAX_PER_TARGET = 400


def walk(root, exts):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(d, f)


def read(path):
    with open(path, "rb") as f:
        return f.read()


counts = {}


def put(target, data):
    if counts.get(target, 0) >= MAX_PER_TARGET:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1


def piece(b):
    b = b[:0xFFFF]
    return struct.pack(">H", len(b)) + b


# JSON lines: corpus, OTRF, formats, golden.
json_files = list(walk(os.path.join(shared, "corpus", "jsonl"), (".jsonl",)))
json_files += list(walk(os.path.join(shared, "corpus", "otrf"), (".jsonl", ".json")))[:40]
json_files += list(walk(os.path.join(shared, "formats"), (".jsonl", ".json")))
json_files += list(walk(os.path.join(src, "tests", "golden"), (".jsonl",)))
texts, contexts = [], []
for path in json_files:
    for i, line in enumerate(read(path).splitlines()[:20]):
        if len(line) > 65536:
            continue
        put("json_event_parser_fuzzer", line)
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        t = obj.get("ScriptBlockText")
        if isinstance(t, str) and t:
            texts.append(t.encode("utf-8", "surrogatepass")[:16384])
        c, p = obj.get("ContextInfo"), obj.get("Payload")
        if isinstance(c, str) and isinstance(p, str):
            contexts.append((c.encode(), p.encode()))
for path in walk(os.path.join(shared, "formats"), (".json",)):  # pretty-printed: one line
    dec, text, pos = json.JSONDecoder(), read(path).decode("utf-8", "replace"), 0
    while pos < len(text):
        try:
            obj, end = dec.raw_decode(text, pos)
        except ValueError:
            break
        put("json_event_parser_fuzzer", json.dumps(obj).encode())
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1

# XML: 2 option bytes (max event size, chunk size), then the stream.
for path in walk(os.path.join(shared, "formats"), (".xml",)):
    put("xml_event_fuzzer", b"\xff\x40" + read(path))
    put("xml_event_fuzzer", b"\x04\x07" + read(path) * 3)

# EVTX: file header + first chunk of every file.
for path in walk(os.path.join(shared, "corpus", "evtx"), (".evtx",)):
    put("evtx_reader_fuzzer", read(path)[: 4096 + 65536])

# Transcripts.
for path in walk(os.path.join(src, "tests", "golden"), (".txt",)):
    data = read(path)
    put("transcript_parser_fuzzer", data)
    put("transcript_parser_fuzzer", b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le"))

# 4103 module logging: ContextInfo piece, then Payload.
for c, p in contexts[:100]:
    put("module_logging_fuzzer", piece(c) + p)

# Reassembler: option bytes then events (op, text piece, host, id, time, number, total).
def ev(text, host, bid, time, n, total, op=2):
    return bytes([op]) + piece(text) + bytes([host, bid, time, n + 1, total + 1])

opts = bytes([1, 10, 3, 16, 4])
put("reassembler_fuzzer", opts + ev(b"Write-Host a", 0, 0, 0, 1, 2) + ev(b"b", 0, 0, 1, 2, 2))
put("reassembler_fuzzer", opts + ev(b"x" * 40, 0, 0, 0, 2, 3) + ev(b"y", 1, 2, 1, 1, 3) +
    ev(b"z", 0, 0, 2, 1, 3) + bytes([0, 3]) + ev(b"x" * 40, 0, 0, 0, 2, 3) + bytes([1]))
put("reassembler_fuzzer", opts + ev(b"", 3, 4, 5, 0, 0) + ev(b"q", 2, 3, 4, 7, 6))

# Decoders: selector byte, max_out byte, then the text (key pieces for 14 and 19).
seed_texts = sorted(set(texts), key=len)[::7][:13] + [
    b"powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
    b"[char]73+[char]69+[char]88+[char]32+[char]40",
    b"$k=[byte[]](0x12,0x34); $d -bxor $k[$i % 2]; (73,69,88,32,40,39,104,116,116,112) -join ''",
    b"76492d1116743f0423413b16050a5345MgB8AGgAcwBhAA==|0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    b"-----BEGIN CMS-----\nMIIBqQYJKoZIhvcNAQcDoIIBmjCCAZYCAQAxggFR\n-----END CMS-----",
    b"('Inv'+'oke-Ex'+'pression') -replace 'x','y'; I`nv`oke-Mimikatz; \"{1}{0}\" -f 'a','b'",
    b"Jevgr-Ubfg 'uryyb'; Vaibxr-Rkcerffvba $n; Trg-Cebprff",
]
for sel in range(20):
    for t in seed_texts:
        if sel in (14, 19):
            put("decoders_fuzzer", bytes([sel, 0x40]) + piece(b"\x01\x02\x03") + t)
        else:
            put("decoders_fuzzer", bytes([sel, 0x40]) + t)
for t in seed_texts:
    put("layered_decoder_fuzzer", bytes([8, 0x40, 0x3f, 28]) + t)

# Rules.
for path in walk(os.path.join(src, "signatures", "rules"), (".yml",)):
    # One rule per seed: a whole bundled file takes seconds to compile under ASan.
    for doc in read(path).split(b"\n---\n"):
        put("rule_loader_fuzzer", doc)
for path in walk(os.path.join(src, "tests"), (".yml", ".yaml")):
    put("rule_loader_fuzzer", read(path)[:65536])
for path in walk(os.path.join(shared, "corpus", "sigma"), (".yml",)):
    put("sigma_loader_fuzzer", read(path))

for target in sorted(counts):
    print(f"{target}: {counts[target]} seeds")
