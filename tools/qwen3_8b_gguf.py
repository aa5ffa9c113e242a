#!/usr/bin/env python3
"""Write a random-weight GGUF with the Qwen3-8B text-model shapes (llama.cpp arch "qwen3").

Only for speed comparison: weights are random quantized codes with a small fixed scale,
so all values are finite; the output is meaningless text.

Usage (needs numpy and llama.cpp's gguf-py):
    PYTHONPATH=LLAMA_CPP/gguf-py python3 tools/qwen3_8b_gguf.py --type q4_0 --out qwen3-8b-q4_0.gguf
    PYTHONPATH=LLAMA_CPP/gguf-py python3 tools/qwen3_8b_gguf.py --type q8_0 --out qwen3-8b-q8_0.gguf

Every 2-D weight (incl. token_embd and the untied output.weight) is in the chosen type
(a "pure" file); 1-D norm weights are F32 ones. Tensors are generated and streamed one at
a time, so peak memory is about one tensor (~0.66 GB for the Q8_0 embedding).
"""
import argparse
import sys
import time

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT, GGUFWriter, LlamaFileType, TokenType

ARCH = "qwen3"
N_EMBD = 4096
N_LAYER = 36
N_HEAD = 32
N_HEAD_KV = 8
HEAD_DIM = 128
N_FF = 12288
N_VOCAB = 151936
ROPE_THETA = 5_000_000.0
RMS_EPS = 1e-6
N_CTX_TRAIN = 262144  # Qwen3-VL-8B text max_position_embeddings; only an upper bound here

TYPES = {
    "q4_0": (QT.Q4_0, LlamaFileType.MOSTLY_Q4_0),
    "q8_0": (QT.Q8_0, LlamaFileType.MOSTLY_Q8_0),
}

# Qwen2/3 special tokens (ids as in the real tokenizer)
SPECIAL = {
    151643: "<|endoftext|>", 151644: "<|im_start|>", 151645: "<|im_end|>",
    151646: "<|object_ref_start|>", 151647: "<|object_ref_end|>", 151648: "<|box_start|>",
    151649: "<|box_end|>", 151650: "<|quad_start|>", 151651: "<|quad_end|>",
    151652: "<|vision_start|>", 151653: "<|vision_end|>", 151654: "<|vision_pad|>",
    151655: "<|image_pad|>", 151656: "<|video_pad|>",
}


def bytes_to_unicode():
    # GPT-2 byte-level BPE alphabet (the first 256 tokens of a byte-level BPE vocab)
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


def make_vocab():
    tokens = bytes_to_unicode()
    types = [TokenType.NORMAL] * 256
    for i in range(256, N_VOCAB):
        if i in SPECIAL:
            tokens.append(SPECIAL[i]); types.append(TokenType.CONTROL)
        elif i >= 151657:
            tokens.append(f"[PAD{i}]"); types.append(TokenType.UNUSED)
        else:
            tokens.append(f"tok{i}"); types.append(TokenType.NORMAL)
    assert len(tokens) == N_VOCAB and len(set(tokens)) == N_VOCAB
    return tokens, [int(t) for t in types]


def tensor_plan(qt):
    """(name, numpy-order logical shape (rows, cols), ggml type). ggml ne0 = cols."""
    plan = [("token_embd.weight", (N_VOCAB, N_EMBD), qt)]
    for i in range(N_LAYER):
        p = f"blk.{i}."
        plan += [
            (p + "attn_norm.weight", (N_EMBD,), QT.F32),
            (p + "attn_q.weight", (N_HEAD * HEAD_DIM, N_EMBD), qt),
            (p + "attn_k.weight", (N_HEAD_KV * HEAD_DIM, N_EMBD), qt),
            (p + "attn_v.weight", (N_HEAD_KV * HEAD_DIM, N_EMBD), qt),
            (p + "attn_q_norm.weight", (HEAD_DIM,), QT.F32),
            (p + "attn_k_norm.weight", (HEAD_DIM,), QT.F32),
            (p + "attn_output.weight", (N_EMBD, N_HEAD * HEAD_DIM), qt),
            (p + "ffn_norm.weight", (N_EMBD,), QT.F32),
            (p + "ffn_gate.weight", (N_FF, N_EMBD), qt),
            (p + "ffn_up.weight", (N_FF, N_EMBD), qt),
            (p + "ffn_down.weight", (N_EMBD, N_FF), qt),
        ]
    plan += [
        ("output_norm.weight", (N_EMBD,), QT.F32),
        ("output.weight", (N_VOCAB, N_EMBD), qt),  # untied lm_head
    ]
    return plan


class RandomQuant:
    """Random quantized blocks: f16 scale = SCALE, random codes. Uses a fixed random pool
    (tiled) so generation is disk-bound rather than RNG-bound."""
    SCALE = np.float16(0.002)

    def __init__(self, qt, seed):
        self.qt = qt
        self.block_elems, self.block_bytes = gguf.GGML_QUANT_SIZES[qt]
        rng = np.random.default_rng(seed)
        n_pool_blocks = (1 << 26) // self.block_bytes  # ~64 MiB pool
        pool = rng.integers(0, 256, size=(n_pool_blocks, self.block_bytes), dtype=np.uint8)
        pool[:, 0:2] = np.frombuffer(self.SCALE.tobytes(), dtype=np.uint8)
        self.pool = pool
        self.rng = rng

    def make(self, shape):
        rows, cols = shape
        assert cols % self.block_elems == 0
        n_blocks = rows * cols // self.block_elems
        # start at a random offset in the pool so tensors differ
        start = int(self.rng.integers(0, self.pool.shape[0]))
        idx = (np.arange(n_blocks, dtype=np.int64) + start) % self.pool.shape[0]
        blocks = self.pool[idx]  # (n_blocks, block_bytes)
        return blocks.reshape(rows, cols // self.block_elems * self.block_bytes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--type", choices=sorted(TYPES), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    qt, ftype = TYPES[args.type]
    t0 = time.time()

    w = GGUFWriter(args.out, ARCH)
    w.add_name(f"Qwen3-8B-shape random {args.type.upper()} (benchmark only)")
    w.add_context_length(N_CTX_TRAIN)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_key_length(HEAD_DIM)
    w.add_value_length(HEAD_DIM)
    w.add_rope_freq_base(ROPE_THETA)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_file_type(ftype)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    tokens, types = make_vocab()
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(["\u0120 \u0120"])  # gguf arrays must be non-empty; one dummy merge
    w.add_bos_token_id(151643)
    w.add_eos_token_id(151645)
    w.add_pad_token_id(151643)
    w.add_add_bos_token(False)

    plan = tensor_plan(qt)
    blk_elems, blk_bytes = gguf.GGML_QUANT_SIZES[qt]
    for name, shape, tt in plan:
        if tt == QT.F32:
            w.add_tensor_info(name, shape, np.dtype(np.float32), int(np.prod(shape)) * 4)
        else:
            rows, cols = shape
            byte_shape = (rows, cols // blk_elems * blk_bytes)
            w.add_tensor_info(name, byte_shape, np.dtype(np.uint8), rows * byte_shape[1], raw_dtype=tt)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()

    gen = RandomQuant(qt, args.seed)
    total = 0
    for name, shape, tt in plan:
        if tt == QT.F32:
            arr = np.ones(shape, dtype=np.float32)
        else:
            arr = gen.make(shape)
        w.write_tensor_data(arr)
        total += arr.nbytes
        del arr
    w.close()
    print(f"wrote {args.out}: {len(plan)} tensors, {total / 1e9:.3f} GB tensor data, {time.time() - t0:.1f}s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
