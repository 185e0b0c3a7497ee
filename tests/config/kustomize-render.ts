import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the fields it uses and no
 * others: resources (files), namespace, labels (with includeTemplates) and images. A field
 * it does not know fails the render, so the manifests cannot drift past what is checked.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeTemplates?: boolean; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  resources?: string[];
}

const SUPPORTED = new Set(["apiVersion", "kind", "namespace", "labels", "images", "resources"]);
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
]);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every containers/initContainers entry anywhere in the object (pod specs of any workload). */
function containersOf(node: unknown): Json[] {
  if (Array.isArray(node)) return node.flatMap(containersOf);
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    (key === "containers" || key === "initContainers") && Array.isArray(value)
      ? [...value.filter(isObject), ...value.flatMap(containersOf)]
      : containersOf(value),
  );
}

/** The pod template's metadata of a workload (Deployment, StatefulSet, Job), if any. */
export function podTemplateOf(
  object: KubeObject,
): { labels: Record<string, string>; spec: Json } | undefined {
  const template = object.spec?.template;
  if (!isObject(template) || !isObject(template.spec)) return undefined;
  const metadata = isObject(template.metadata) ? template.metadata : {};
  return { labels: (metadata.labels ?? {}) as Record<string, string>, spec: template.spec };
}

function imageReplacement(image: string, images: NonNullable<Kustomization["images"]>): string {
  const name = image.replace(/[:@].*$/, "");
  const rule = images.find((candidate) => candidate.name === name);
  if (!rule) return image;
  const tag = rule.newTag ?? (image.includes(":") ? image.slice(image.indexOf(":") + 1) : undefined);
  return `${rule.newName ?? name}${tag === undefined ? "" : `:${tag}`}`;
}

export function renderKustomization(folder: string): KubeObject[] {
  const kustomization = parseAllDocuments(
    readFileSync(path.join(folder, "kustomization.yaml"), "utf8"),
  )[0]?.toJS() as Kustomization | undefined;
  if (!kustomization) throw new Error(`no kustomization in ${folder}`);
  const unknown = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0)
    throw new Error(`kustomization fields the test's renderer does not know: ${unknown.join(", ")}`);

  const objects = (kustomization.resources ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(folder, file), "utf8"))
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
        return document.toJS() as KubeObject | null;
      })
      .filter((object): object is KubeObject => object !== null),
  );

  for (const object of objects) {
    if (kustomization.namespace && !CLUSTER_SCOPED.has(object.kind)) {
      object.metadata.namespace = kustomization.namespace;
    }
    if (object.kind === "Namespace" && kustomization.namespace)
      object.metadata.name = kustomization.namespace;
    for (const { pairs, includeTemplates, includeSelectors } of kustomization.labels ?? []) {
      if (includeSelectors) throw new Error("labels.includeSelectors is not rendered by the test");
      object.metadata.labels = { ...object.metadata.labels, ...pairs };
      const template = object.spec?.template;
      if (includeTemplates && isObject(template)) {
        const metadata = (template.metadata ??= {}) as Json;
        metadata.labels = { ...(metadata.labels as Json | undefined), ...pairs };
      }
    }
    for (const container of containersOf(object)) {
      if (typeof container.image === "string")
        container.image = imageReplacement(container.image, kustomization.images ?? []);
    }
  }
  return objects;
}

/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  const expressions = (selector.matchExpressions ?? []) as {
    key: string;
    operator: string;
    values?: string[];
  }[];
  return expressions.every(({ key, operator, values = [] }) => {
    const value = labels[key];
    if (operator === "In") return value !== undefined && values.includes(value);
    if (operator === "NotIn") return value === undefined || !values.includes(value);
    if (operator === "Exists") return value !== undefined;
    if (operator === "DoesNotExist") return value === undefined;
    throw new Error(`unknown selector operator ${operator}`);
  });
}
