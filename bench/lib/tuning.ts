/**
 * Whether a PostgreSQL server was tuned enough for the comparison to be fair: the table
 * and index fit in shared_buffers, the HNSW graph is built in maintenance_work_mem (pgvector
 * builds much slower once it spills), and index builds may use a parallel worker.
 */

/** PostgreSQL's memory units as SHOW prints them ('128MB', '2GB', '64kB', '8192' = bytes). */
export function parseMemory(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d+)\s*(B|kB|MB|GB|TB)?$/.exec(text.trim());
  if (!m) return null;
  const unit = { B: 1, kB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[m[2] ?? 'B']!;
  return Number(m[1]) * unit;
}

export function tuningWarnings(settings: Record<string, string | null>, sizeBytes: number | null): string[] {
  const warnings: string[] = [];
  const sharedBuffers = parseMemory(settings.shared_buffers ?? null);
  if (sharedBuffers !== null && sizeBytes !== null && sharedBuffers < sizeBytes)
    warnings.push(
      `shared_buffers ${settings.shared_buffers} is smaller than the table and index (${Math.round(sizeBytes / 2 ** 20)} MB)`,
    );
  const maintenance = parseMemory(settings.maintenance_work_mem ?? null);
  if (maintenance !== null && maintenance < 2 ** 31)
    warnings.push(`maintenance_work_mem ${settings.maintenance_work_mem} is below 2GB`);
  if (settings.max_parallel_maintenance_workers === '0')
    warnings.push('max_parallel_maintenance_workers is 0');
  return warnings;
}
