/** Lazy float32 access to GGUF tensor data: element ranges are widened to whole blocks and decoded. */
import { FormatError } from '../../errors.js';
import { dequantize, dequantSteps } from './dequant.js';
import type { GgufFile, GgufTensor } from './parse.js';

/** Blocks decoded per read when streaming a tensor (bounds memory per call). */
export const GGUF_READ_CHUNK_BYTES = 8 * 1024 * 1024;

/** Read elements `[start, start + count)` of a GGUF tensor (ne[0] fastest) as float32. */
export async function readGgufRange(
  file: GgufFile,
  tensor: GgufTensor,
  start: number,
  count: number,
  out: Float32Array = new Float32Array(count),
  outOffset = 0,
): Promise<Float32Array> {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(count) ||
    start < 0 ||
    count < 0 ||
    start + count > tensor.elements
  ) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `elements [${start}, ${start + count}) outside tensor "${tensor.name}" of ${tensor.elements} elements`,
      {
        where: { file: file.source.name, field: tensor.name },
      },
    );
  }
  const { blockSize: bs, typeSize: ts } = tensor.type;
  const where = { file: file.source.name, field: tensor.name };
  const blocksPerChunk = Math.max(1, Math.floor(GGUF_READ_CHUNK_BYTES / ts));
  const firstBlock = Math.floor(start / bs);
  const endBlock = Math.ceil((start + count) / bs);
  let scratch: Float32Array | null = null;
  for (let b = firstBlock; b < endBlock; b += blocksPerChunk) {
    const nb = Math.min(blocksPerChunk, endBlock - b);
    const bytes = await file.source.read(tensor.offset + b * ts, nb * ts);
    const e0 = b * bs;
    const e1 = e0 + nb * bs;
    const lo = Math.max(e0, start);
    const hi = Math.min(e1, start + count);
    if (lo === e0 && hi === e1) {
      dequantize(tensor.type.id, bytes, nb * bs, out, outOffset + (e0 - start), where);
    } else {
      if (!scratch || scratch.length < nb * bs) scratch = new Float32Array(nb * bs);
      dequantize(tensor.type.id, bytes, nb * bs, scratch, 0, where);
      out.set(scratch.subarray(lo - e0, hi - e0), outOffset + (lo - start));
    }
  }
  return out;
}

/**
 * Per-element quantization bin widths for elements `[start, start + count)` of a block-quantized
 * tensor, or null when the type has no linear codes (float types, IQ*).
 */
export async function readGgufSteps(
  file: GgufFile,
  tensor: GgufTensor,
  start: number,
  count: number,
): Promise<Float32Array | null> {
  const { blockSize: bs, typeSize: ts } = tensor.type;
  if (bs === 1) return null;
  const firstBlock = Math.floor(start / bs);
  const endBlock = Math.ceil((start + count) / bs);
  const nb = endBlock - firstBlock;
  const bytes = await file.source.read(tensor.offset + firstBlock * ts, nb * ts);
  const all = new Float32Array(nb * bs);
  if (!dequantSteps(tensor.type.id, bytes, nb, all, 0)) return null;
  return all.slice(start - firstBlock * bs, start - firstBlock * bs + count);
}
