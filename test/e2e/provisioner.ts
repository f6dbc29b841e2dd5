/**
 * A hostPath volume provisioner for the e2e node, as rancher's local-path-provisioner works:
 * a StorageClass (the cluster's default) whose PersistentVolumeClaims get a directory on the
 * node (mode 0777, so non-root Pods can write to it), bound through the PV's claimRef. The
 * in-tree `kubernetes.io/host-path` provisioner makes its directories 0750 root-owned, which a
 * Pod running as uid 65532 cannot write. Test infrastructure, not part of Customs.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pause } from "../support/wait.js";
import type { Cluster } from "./cluster.js";

export const STORAGE_CLASS = "customs-e2e-hostpath";
const PROVISIONER = "e2e.customs.dev/hostpath";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field.
type Obj = any;

export interface Provisioner {
  stop(): void;
}

export async function startProvisioner(cluster: Cluster): Promise<Provisioner> {
  const root = join(cluster.dir, "volumes");
  mkdirSync(root, { recursive: true });
  const storageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: STORAGE_CLASS,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  };
  const applied = await cluster.kubectl(["apply", "-f", "-"], {
    input: JSON.stringify(storageClass),
  });
  if (applied.code !== 0) throw new Error(`StorageClass: ${applied.stderr}`);
  const made = new Set<string>();
  let stopped = false;
  const tick = async () => {
    const r = await cluster.kubectl(["get", "pvc", "-A", "-o", "json"]);
    if (r.code !== 0) return;
    for (const pvc of JSON.parse(r.stdout).items as Obj[]) {
      const uid = pvc.metadata.uid as string;
      const cls = pvc.spec.storageClassName ?? STORAGE_CLASS;
      if (cls !== STORAGE_CLASS || pvc.status?.phase !== "Pending" || made.has(uid)) continue;
      const path = join(root, uid);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o777);
      const pv = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: `pvc-${uid}` },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? "1Gi" },
          accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Delete",
          storageClassName: STORAGE_CLASS,
          claimRef: {
            namespace: pvc.metadata.namespace,
            name: pvc.metadata.name,
            uid,
          },
          hostPath: { path, type: "Directory" },
        },
      };
      const created = await cluster.kubectl(["create", "-f", "-"], { input: JSON.stringify(pv) });
      if (created.code === 0) made.add(uid);
    }
  };
  const loop = async () => {
    while (!stopped) {
      await tick().catch(() => {});
      // The API server announces no new claim: look again in a second.
      await pause(1_000);
    }
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
    },
  };
}
