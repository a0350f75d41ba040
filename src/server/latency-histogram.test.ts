import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { LatencyHistogram } from './latency-histogram.ts';

describe('LatencyHistogram', () => {
  test('buckets are cumulative and inclusive of their bound, rendered by the registry', async () => {
    const registry = new Registry();
    const h = new LatencyHistogram([0.001, 0.01], registry);
    const selectOk = h.series('select', true);
    h.observe(selectOk, 0.0005);
    h.observe(selectOk, 0.001); // exactly on a bound: that bucket (le is ≤)
    h.observe(selectOk, 0.005);
    h.observe(selectOk, 3);
    h.observe(h.series('insert', false), 0.002);
    const text = await registry.metrics();
    const lines = text.split('\n');
    expect(lines).toContain('# TYPE quiver_query_duration_seconds histogram');
    expect(lines).toContain('quiver_query_duration_seconds_bucket{kind="select",outcome="ok",le="0.001"} 2');
    expect(lines).toContain('quiver_query_duration_seconds_bucket{kind="select",outcome="ok",le="0.01"} 3');
    expect(lines).toContain('quiver_query_duration_seconds_bucket{kind="select",outcome="ok",le="+Inf"} 4');
    expect(lines).toContain('quiver_query_duration_seconds_count{kind="select",outcome="ok"} 4');
    expect(lines).toContain('quiver_query_duration_seconds_sum{kind="select",outcome="ok"} 3.0065');
    expect(lines).toContain(
      'quiver_query_duration_seconds_bucket{kind="insert",outcome="error",le="0.001"} 0',
    );
    expect(lines).toContain('quiver_query_duration_seconds_count{kind="insert",outcome="error"} 1');
    expect(lines).toContain('quiver_query_duration_seconds_count{kind="ddl",outcome="ok"} 0');
  });
});
