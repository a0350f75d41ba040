/**
 * deploy/: every Kubernetes manifest the kustomization names validates against the
 * Kubernetes JSON schemas (kubernetes-models, offline; the ServiceMonitor against the
 * Prometheus Operator's CRD schema), the pieces refer to each other consistently, and the
 * Grafana dashboard queries only metrics that a running server exposes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startServer } from '../../src/server/start.ts';
import { familyNames, scrape } from '../helpers/prometheus.ts';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;
const KUBE = join(DEPLOY, 'kubernetes');

interface Validating {
  validate(): void;
}

/** The kinds deploy/ uses, by apiVersion and kind; anything else fails the test. */
const MODELS: Record<string, new (data: never) => Validating> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML, checked field by field below
type Manifest = Record<string, any>;

function parseYaml(text: string, file: string): Manifest[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as Manifest;
  });
}

function kustomization(): Manifest {
  return parseYaml(readFileSync(join(KUBE, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml')[0];
}

function manifests(): { file: string; object: Manifest }[] {
  return (kustomization().resources as string[]).flatMap((file) =>
    parseYaml(readFileSync(join(KUBE, file), 'utf8'), file).map((object) => ({ file, object })),
  );
}

/** Validates one object against its schema; throws what the schema says is wrong. */
function validate(object: Manifest): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

const all = manifests();
const byKind = (kind: string) => all.map((m) => m.object).filter((o) => o.kind === kind);
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const podTemplates = () => [...byKind('StatefulSet'), ...byKind('Job')].map((w) => w.spec.template);

describe('Kubernetes manifests', () => {
  test('the kustomization names every manifest in deploy/kubernetes, and only files that exist', () => {
    const listed = new Set(kustomization().resources as string[]);
    const files = readdirSync(KUBE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(files.sort());
  });

  test.each(all.map((m) => [`${m.file}: ${m.object.kind} ${m.object.metadata?.name}`, m.object]))(
    '%s validates against its schema',
    (_name, object) => {
      expect(() => validate(object)).not.toThrow();
    },
  );

  test('a broken manifest fails validation', () => {
    const quiver = byKind('StatefulSet').find((s) => s.metadata.name === 'quiver')!;
    const broken = structuredClone(quiver);
    broken.spec.replicas = 'three';
    expect(() => validate(broken)).toThrow(/replicas must be integer/);
    const badProbe = structuredClone(quiver);
    badProbe.spec.template.spec.containers[0].readinessProbe.periodSeconds = '5s';
    expect(() => validate(badProbe)).toThrow(/periodSeconds must be integer/);
    const monitor = structuredClone(byKind('ServiceMonitor')[0]);
    monitor.spec.endpoints = 'metrics';
    expect(() => validate(monitor)).toThrow(/endpoints must be array/);
    expect(() => validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toThrow(/no schema/);
  });

  test('every Service, PodDisruptionBudget and ServiceMonitor selects something, on ports that exist', () => {
    const templates = podTemplates();
    for (const service of byKind('Service')) {
      const pods = templates.filter((t) => labelsMatch(service.spec.selector, t.metadata.labels));
      expect(pods, `Service ${service.metadata.name} selects no pods`).not.toHaveLength(0);
      const portNames = pods
        .flatMap((t) => t.spec.containers.flatMap((c: Manifest) => c.ports ?? []))
        .map((p) => p.name);
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
    for (const pdb of byKind('PodDisruptionBudget')) {
      expect(templates.some((t) => labelsMatch(pdb.spec.selector.matchLabels, t.metadata.labels))).toBe(true);
    }
    const [monitor] = byKind('ServiceMonitor');
    const scraped = byKind('Service').filter((s) =>
      labelsMatch(monitor.spec.selector.matchLabels, s.metadata.labels),
    );
    // Exactly one Service: a second one over the same pods would scrape each node twice.
    expect(scraped.map((s) => s.metadata.name)).toEqual(['quiver']);
    for (const endpoint of monitor.spec.endpoints)
      expect(scraped[0].spec.ports.map((p: Manifest) => p.name)).toContain(endpoint.port);
  });

  test('Quiver pods probe /healthz and /readyz on their metrics port, with settings from the ConfigMap', () => {
    const quiver = byKind('StatefulSet').find((s) => s.metadata.name === 'quiver')!;
    const [container] = quiver.spec.template.spec.containers;
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.args).toContain('--http-port=9433');
    expect(container.ports.find((p: Manifest) => p.name === 'metrics').containerPort).toBe(9433);
    expect(quiver.spec.serviceName).toBe('quiver-headless');
    const configMaps = new Set(byKind('ConfigMap').map((c) => c.metadata.name));
    const secrets = new Set(byKind('Secret').map((s) => s.metadata.name));
    const config = byKind('ConfigMap')[0].data as Record<string, string>;
    for (const template of podTemplates()) {
      for (const c of template.spec.containers) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) expect(configMaps).toContain(from.configMapRef.name);
          if (from.secretRef) expect(secrets).toContain(from.secretRef.name);
        }
        // $(VAR) in args and commands names a variable the container has.
        const defined = new Set([
          ...(c.env ?? []).map((e: Manifest) => e.name),
          ...((c.envFrom ?? []).some((f: Manifest) => f.configMapRef) ? Object.keys(config) : []),
        ]);
        for (const arg of [...(c.args ?? []), ...(c.command ?? [])] as string[])
          for (const [, name] of arg.matchAll(/\$\(([A-Z_]+)\)/g)) expect(defined).toContain(name);
      }
    }
    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'quiver' });
  });
});

describe('Grafana dashboard', () => {
  test('parses, and queries only metrics that /metrics exposes', async () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/quiver-dashboard.json'), 'utf8'));
    const exprs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'expr' && typeof value === 'string') exprs.push(value);
          else walk(value);
        }
      }
    };
    walk(dashboard.panels);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    // Names the exposition declares, plus the series a histogram family adds.
    await using server = await startServer({ host: '127.0.0.1', port: 0, httpPort: 0 });
    const { text } = await scrape(server.httpPort!);
    const exposed = new Set(
      text.split('\n').flatMap((l) => /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(l)?.[1] ?? []),
    );
    for (const name of familyNames(text)) exposed.add(name);
    for (const expr of exprs) {
      const metrics = expr.match(/\b(?:quiver|process|nodejs)_[a-z0-9_]+/g) ?? [];
      expect(metrics.length, `no metric in ${expr}`).toBeGreaterThan(0);
      for (const metric of metrics) expect(exposed, `${metric} in ${expr}`).toContain(metric);
    }
  });
});
