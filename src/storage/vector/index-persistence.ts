/**
 * Saving and loading a column's vector index, so a restarted node loads it from object
 * storage instead of rebuilding it (DESIGN §3: the index is stored next to its segment).
 *
 * File layout, little-endian:
 *
 *   0      4  magic "QVIX"
 *   4      4  u32 format version (FORMAT_VERSION)
 *   8      8  u64 total file length, trailer included
 *   16     4  u32 header length H
 *   20     H  header: UTF-8 JSON {method, type, metric, dimensions, m, efConstruction | lists}
 *   20+H   …  payload: the implementation's own encoding (its writeTo / readFrom)
 *   end-4  4  u32 CRC-32 of every byte before it
 *
 * Checked in that order on load, each failure an IndexFileError naming the check; the
 * payload is decoded only after the checksum and the header match the expected definition.
 */
import { crc32 } from '../crc32.ts';
import { runAtOnce, type Steps } from '../stepwise.ts';
import { DEFAULT_EF_CONSTRUCTION, DEFAULT_LISTS, DEFAULT_M } from './buildable-index.ts';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { type ColumnIndex, type ColumnIndexSpec, createColumnIndex } from './column-index.ts';
import { IndexFileError } from './index-file-error.ts';

const MAGIC = 0x58495651; // "QVIX" read as a little-endian u32
export const FORMAT_VERSION = 1;
const PREFIX_BYTES = 20;
const TRAILER_BYTES = 4;

/** The header: what the payload was built as. Parameters that shape the structure only. */
interface IndexFileHeader {
  readonly method: string;
  readonly type: string;
  readonly metric: string;
  readonly dimensions: number;
  readonly m?: number;
  readonly efConstruction?: number;
  readonly lists?: number;
  /** Only when sharded (more than 1), so files of unsharded indexes are as they were. */
  readonly shards?: number;
}

function headerOf(spec: ColumnIndexSpec): IndexFileHeader {
  const { method, type, metric, dimensions, options } = spec;
  const params =
    method === 'hnsw'
      ? { m: options.m ?? DEFAULT_M, efConstruction: options.efConstruction ?? DEFAULT_EF_CONSTRUCTION }
      : { lists: options.lists ?? DEFAULT_LISTS };
  const shards = (options.shards ?? 1) > 1 ? { shards: options.shards } : {};
  return { method, type, metric, dimensions, ...params, ...shards };
}

/** The bytes of `index`'s current content: save them next to the segment. */
export function saveColumnIndex(index: ColumnIndex): Uint8Array {
  const payload = new ByteWriter();
  index.index.writeTo(payload);
  return runAtOnce(encodeIndexFile({ spec: index.spec, payload }));
}

/** What an index file holds, taken at one moment; encodeIndexFile frames it. */
export interface IndexFileContent {
  readonly spec: ColumnIndexSpec;
  readonly payload: ByteWriter;
}

/**
 * `index`'s content as of one moment after the call, copied off the event loop where the
 * index can (a checkpoint's commits wait for it, its event loop should not).
 */
export async function captureColumnIndex(index: ColumnIndex): Promise<IndexFileContent> {
  const payload = new ByteWriter();
  if (index.index.writeToAsync) await index.index.writeToAsync(payload);
  else index.index.writeTo(payload);
  return { spec: index.spec, payload };
}

/** Copies and checksums in pieces this big, one step each (a graph's file is hundreds of MB). */
const STEP_BYTES = 16 * 1024 * 1024;

/** The file for `content`, in steps (stepwise.ts) of at most STEP_BYTES copied or checksummed. */
export function* encodeIndexFile(content: IndexFileContent): Steps<Uint8Array> {
  const { payload } = content;
  const header = new TextEncoder().encode(JSON.stringify(headerOf(content.spec)));
  const total = PREFIX_BYTES + header.length + payload.length + TRAILER_BYTES;
  const file = new Uint8Array(total);
  const view = new DataView(file.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setBigUint64(8, BigInt(total), true);
  view.setUint32(16, header.length, true);
  file.set(header, PREFIX_BYTES);
  let at = PREFIX_BYTES + header.length;
  for (const part of payload.parts) {
    for (let from = 0; from < part.length; from += STEP_BYTES) {
      yield;
      const piece = part.subarray(from, from + STEP_BYTES);
      file.set(piece, at);
      at += piece.length;
    }
  }
  let crc = 0;
  for (let from = 0; from < at; from += STEP_BYTES) {
    yield;
    crc = crc32(file.subarray(from, Math.min(at, from + STEP_BYTES)), crc);
  }
  view.setUint32(at, crc, true);
  return file;
}

/**
 * An index equal to the saved one: same search results, same size(), and further add /
 * remove keep working. `spec` is the index definition from the catalog; a file saved under
 * another method, type, metric, dimension count or build parameters is rejected.
 */
export async function loadColumnIndex(bytes: Uint8Array, spec: ColumnIndexSpec): Promise<ColumnIndex> {
  const { header, payload } = openIndexFile(bytes);
  const expected = headerOf(spec);
  const keys = new Set([...Object.keys(expected), ...Object.keys(header)]) as Set<keyof IndexFileHeader>;
  const mismatches = [...keys]
    .filter((key) => header[key] !== expected[key])
    .map((key) => `${key} is ${header[key]}, expected ${expected[key]}`);
  if (mismatches.length > 0) {
    throw new IndexFileError(`it was saved for another index definition: ${mismatches.join(', ')}`);
  }
  const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
  const input = new ByteReader(payload, `${spec.method} ${spec.type} ${spec.metric} payload`);
  try {
    await index.index.readFrom(input);
  } catch (error) {
    // hnswlib's own loader may throw; anything it rejects is an unusable file too.
    if (error instanceof IndexFileError) throw error;
    throw new IndexFileError(`payload: ${(error as Error).message}`);
  }
  input.end();
  return index;
}

function openIndexFile(bytes: Uint8Array): { header: IndexFileHeader; payload: Uint8Array } {
  if (bytes.length < PREFIX_BYTES + TRAILER_BYTES) {
    throw new IndexFileError(`truncated: ${bytes.length} bytes, fewer than an empty file's`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new IndexFileError('bad magic (not a Quiver vector index)');
  const total = view.getBigUint64(8, true);
  if (total !== BigInt(bytes.length)) {
    throw new IndexFileError(
      `truncated or damaged: it has ${bytes.length} bytes, its length field says ${total}`,
    );
  }
  const end = bytes.length - TRAILER_BYTES;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) {
    throw new IndexFileError(`damaged: CRC-32 is ${hex(actual)}, the file says ${hex(stored)}`);
  }
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) {
    throw new IndexFileError(
      `format version ${version} is not supported (this build reads ${FORMAT_VERSION})`,
    );
  }
  const headerLength = view.getUint32(16, true);
  if (PREFIX_BYTES + headerLength > end) throw new IndexFileError(`header length ${headerLength} overruns`);
  let header: IndexFileHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch {
    throw new IndexFileError('header is not valid JSON');
  }
  return { header, payload: bytes.subarray(PREFIX_BYTES + headerLength, end) };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
