/**
 * The deployment kit holds together: the Kubernetes manifests parse, the DaemonSet probes the
 * exporter's health endpoints and mounts the ConfigMap that configmap.yaml defines, the
 * namespace carries Pod Security labels, and the systemd socket unit's drop-in hands fd 3 over.
 */

import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";

const DEPLOY = new URL("../deploy/", import.meta.url).pathname;

// deno-lint-ignore no-explicit-any
type Doc = any;

function docs(file: string): Doc[] {
  return parseAllDocuments(Deno.readTextFileSync(`${DEPLOY}kubernetes/${file}`)).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.join("; ")}`);
    return d.toJS();
  });
}

Deno.test("the kustomization lists files that exist, namespace first", () => {
  const [k] = docs("kustomization.yaml");
  assert.deepEqual(k.resources, ["namespace.yaml", "daemonset.yaml"]);
  for (const r of k.resources) Deno.statSync(`${DEPLOY}kubernetes/${r}`);
});

Deno.test("the namespace enforces a Pod Security level and audits against baseline", () => {
  const [ns] = docs("namespace.yaml");
  assert.equal(ns.kind, "Namespace");
  assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
  assert.equal(ns.metadata.labels["pod-security.kubernetes.io/audit"], "baseline");
  assert.equal(ns.metadata.labels["pod-security.kubernetes.io/warn"], "baseline");
});

Deno.test("the DaemonSet probes /-/ready and /-/healthy and mounts the configs ConfigMap", () => {
  const [ds] = docs("daemonset.yaml");
  const [cm] = docs("configmap.yaml");
  const [ns] = docs("namespace.yaml");
  assert.equal(ds.kind, "DaemonSet");
  assert.equal(ds.metadata.namespace, ns.metadata.name);
  assert.equal(cm.metadata.namespace, ns.metadata.name);
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.readinessProbe.httpGet.path, "/-/ready");
  assert.equal(c.livenessProbe.httpGet.path, "/-/healthy");
  assert.equal(c.startupProbe.httpGet.path, "/-/healthy");
  for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
    assert.equal(p.httpGet.port, c.ports[0].name);
  }
  const volume = pod.volumes.find((v: Doc) => v.configMap !== undefined);
  assert.deepEqual(volume.configMap, { name: cm.metadata.name, optional: true });
  const mount = c.volumeMounts.find((m: Doc) => m.name === volume.name);
  assert.equal(mount.mountPath, "/etc/ebpf_exporter");
  assert.equal(mount.readOnly, true);
  assert.ok(c.args.includes("--config.names=timers"));
});

Deno.test("the socket unit listens on 9435 and its drop-in serves fd 3", () => {
  const socket = Deno.readTextFileSync(`${DEPLOY}systemd/ebpf_exporter.socket`);
  assert.match(socket, /^ListenStream=9435$/m);
  const dropIn = Deno.readTextFileSync(
    `${DEPLOY}systemd/ebpf_exporter.service.d/socket-activation.conf`,
  );
  assert.match(dropIn, /^Requires=ebpf_exporter\.socket$/m);
  // ExecStart= is reset before the new one, or systemd would run both.
  assert.match(dropIn, /^ExecStart=\nExecStart=\/usr\/local\/bin\/ebpf_exporter /m);
  assert.match(dropIn, /--web\.listen-address=fd:\/\/3$/m);
});
