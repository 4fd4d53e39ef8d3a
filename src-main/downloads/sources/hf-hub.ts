/**
 * Hugging Face hub files: URLs, listings with LFS checksums, and download specs.
 *
 *   file:     <endpoint>/<repo>/resolve/<rev>/<path>              (models)
 *             <endpoint>/datasets/<repo>/resolve/<rev>/<path>     (datasets)
 *   listing:  <endpoint>/api/<models|datasets>/<repo>/tree/<rev>[/<path>]?recursive=true   (paginated by Link: rel="next")
 *   commit:   <endpoint>/api/<models|datasets>/<repo>/revision/<rev>  -> { sha }
 *
 * LFS files list their SHA-256 (`lfs.oid`) and size, so big files are verified; small git files list
 * only a git blob id, so only their size is checked. The endpoint comes from HF_ENDPOINT (tests point
 * it at 127.0.0.1) and HF_TOKEN, when set, is sent as a Bearer token, to the hub's origin only.
 */
import path from 'node:path';
import { z } from 'zod';
import { DownloadError, httpStatusError } from '../errors';
import { fetchText, headerValue, type FetchTextOptions } from '../fetch-text';
import type { DownloadSpec } from '../types';

export type HubRepoType = 'model' | 'dataset';

export interface HubRepoRef {
  /** "org/name". */
  repo: string;
  type?: HubRepoType;
  /** Branch, tag or commit. Default "main". */
  revision?: string;
}

export interface HubConfig {
  endpoint: string;
  token: string | null;
}

export interface HubFileEntry {
  path: string;
  size: number;
  /** SHA-256 for LFS files; null for small files stored in git. */
  sha256: string | null;
  lfs: boolean;
}

const DEFAULT_ENDPOINT = 'https://huggingface.co';
const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function hubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const endpoint = (env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN ?? null;
  return { endpoint, token: token && token.trim() !== '' ? token.trim() : null };
}

export function validateRepoId(repo: string): void {
  if (!REPO_ID.test(repo) || repo.includes('..')) {
    throw new DownloadError('invalid', `"${repo}" is not a hub repository id: write it as "org/name", e.g. openai/clip-vit-base-patch32.`);
  }
}

/** A hub path must stay inside the folder it is downloaded to. */
export function validateHubPath(p: string): void {
  if (p === '' || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '.' || s === '') || p.includes('\\')) {
    throw new DownloadError('invalid', `Refusing hub file path "${p}": it must be a relative path without "..".`);
  }
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export function hubFileUrl(ref: HubRepoRef, filePath: string, config: HubConfig): string {
  validateRepoId(ref.repo);
  validateHubPath(filePath);
  const prefix = ref.type === 'dataset' ? 'datasets/' : '';
  // A revision such as refs/pr/1 is one URL segment.
  return `${config.endpoint}/${prefix}${ref.repo}/resolve/${encodeURIComponent(ref.revision ?? 'main')}/${encodePath(filePath)}`;
}

function apiBase(ref: HubRepoRef, config: HubConfig): string {
  validateRepoId(ref.repo);
  return `${config.endpoint}/api/${ref.type === 'dataset' ? 'datasets' : 'models'}/${ref.repo}`;
}

export function hubAuthHeaders(config: HubConfig): Record<string, string> {
  return config.token ? { authorization: `Bearer ${config.token}` } : {};
}

const treeEntrySchema = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative().optional(),
  oid: z.string().optional(),
  lfs: z.object({ oid: z.string(), size: z.number().int().nonnegative() }).nullable().optional(),
});

const revisionSchema = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) });

async function hubGetJson(url: string, ref: HubRepoRef, config: HubConfig, options: FetchTextOptions): Promise<{ value: unknown; next: string | null }> {
  const res = await fetchText(url, { ...options, headers: { ...hubAuthHeaders(config), accept: 'application/json', ...(options.headers ?? {}) } });
  if (res.status !== 200) throw hubError(res.status, url, ref, config, headerValue(res.headers, 'x-error-code'), headerValue(res.headers, 'x-error-message'));
  let value: unknown;
  try {
    value = JSON.parse(res.text);
  } catch {
    throw new DownloadError('invalid', `The hub answered ${url} with something that is not JSON; is HF_ENDPOINT (${config.endpoint}) a Hugging Face hub?`, { url });
  }
  const link = headerValue(res.headers, 'link');
  const next = link ? (/<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] ?? null) : null;
  return { value, next };
}

/** Turns hub refusals into advice: private/gated repos need HF_TOKEN, typos give RepoNotFound. */
export function hubError(status: number, url: string, ref: HubRepoRef, config: HubConfig, code: string | null, message: string | null): DownloadError {
  const what = `${ref.type === 'dataset' ? 'dataset' : 'model'} ${ref.repo}@${ref.revision ?? 'main'}`;
  let hint: string | undefined;
  if (code === 'GatedRepo') hint = `${what} is gated: accept its terms on the hub page, then set HF_TOKEN to a token of that account.`;
  else if (status === 401 || code === 'RepoNotFound')
    hint = config.token
      ? `${what} was not found, or your HF_TOKEN has no access to it. Check the spelling and the token.`
      : `${what} was not found, or it is private: check the spelling, or set HF_TOKEN for a private repository.`;
  else if (code === 'RevisionNotFound') hint = `Revision "${ref.revision ?? 'main'}" does not exist in ${ref.repo}.`;
  else if (code === 'EntryNotFound' || status === 404) hint = `The path does not exist in ${what}.`;
  return httpStatusError(status, url, { ...(hint ? { hint } : {}), ...(message ? { serverMessage: message } : {}) });
}

/** The commit a branch or tag points to now; downloading by commit keeps all files of one pull consistent. */
export async function resolveHubRevision(ref: HubRepoRef, config: HubConfig, options: FetchTextOptions = {}): Promise<string> {
  const url = `${apiBase(ref, config)}/revision/${encodeURIComponent(ref.revision ?? 'main')}`;
  const { value } = await hubGetJson(url, ref, config, options);
  const parsed = revisionSchema.safeParse(value);
  if (!parsed.success) throw new DownloadError('invalid', `The hub's answer for ${url} has no commit sha.`, { url });
  return parsed.data.sha;
}

/** Every file of the repository (or under `under`), following pagination. */
export async function listHubFiles(ref: HubRepoRef, config: HubConfig, options: FetchTextOptions & { under?: string } = {}): Promise<HubFileEntry[]> {
  const under = options.under ? `/${encodePath(options.under.replace(/^\/+|\/+$/g, ''))}` : '';
  let url: string | null = `${apiBase(ref, config)}/tree/${encodeURIComponent(ref.revision ?? 'main')}${under}?recursive=true`;
  const files: HubFileEntry[] = [];
  for (let page = 0; url !== null; page++) {
    if (page > 10_000) throw new DownloadError('invalid', `The hub listing of ${ref.repo} did not end after 10,000 pages.`, { url });
    const { value, next }: { value: unknown; next: string | null } = await hubGetJson(url, ref, config, options);
    const parsed = z.array(treeEntrySchema).safeParse(value);
    if (!parsed.success) throw new DownloadError('invalid', `Unexpected hub listing format from ${url}: ${parsed.error.message.slice(0, 200)}`, { url });
    for (const e of parsed.data) {
      if (e.type !== 'file') continue;
      validateHubPath(e.path);
      const lfs = e.lfs ?? null;
      files.push({ path: e.path, size: lfs?.size ?? e.size ?? 0, sha256: lfs && /^[0-9a-f]{64}$/.test(lfs.oid) ? lfs.oid : null, lfs: lfs !== null });
    }
    // Only follow pagination on the hub's own origin: a listing must not send the token elsewhere.
    url = next && new URL(next, config.endpoint).origin === new URL(config.endpoint).origin ? new URL(next, config.endpoint).href : null;
  }
  return files;
}

/** Download specs for hub files into `destDir`, keeping their relative paths. */
export function hubDownloadSpecs(ref: HubRepoRef, files: HubFileEntry[], destDir: string, config: HubConfig): DownloadSpec[] {
  return files.map((f) => ({
    url: hubFileUrl(ref, f.path, config),
    dest: path.join(destDir, ...f.path.split('/')),
    expectedSize: f.size,
    sha256: f.sha256,
    headers: hubAuthHeaders(config),
  }));
}
