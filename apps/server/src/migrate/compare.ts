/*
 * The parallel run's check (`klaxon compare`): who the source has on call, as the source itself
 * computes it, against Klaxon's final schedules for the imported schedules; and who each escalation
 * level of each imported service would page now. Pure functions here; run.ts reads both sides.
 */
// The answers' types live in the API contract (packages/contract).
import type { CompareResult, OnCallDifference, PagingDifference } from '@klaxon/contract';
import { must } from '../lib/must.js';
export type { CompareResult, OnCallDifference, PagingDifference } from '@klaxon/contract';

/** An interval with the people on call in it (emails, any order). */
export interface OnCallInterval {
  start: number;
  end: number;
  emails: readonly string[];
}

const key = (emails: readonly string[]) => emails.join('\n');
const norm = (emails: readonly string[]) => [...new Set(emails.map((e) => e.toLowerCase()))].sort();

/** Who is on call at `t` by a list of intervals: the union of every interval covering t. */
function at(list: readonly OnCallInterval[], t: number): string[] {
  const out: string[] = [];
  for (const i of list) if (i.start <= t && t < i.end) out.push(...i.emails);
  return norm(out);
}

/**
 * Every span of [from, to) where the two sides name different people, adjacent spans with the same
 * disagreement merged. Intervals may overlap (the people of overlapping intervals are on call
 * together) and may reach outside the span (they are cut to it).
 */
export function diffOnCall(schedule: string, source: readonly OnCallInterval[], klaxon: readonly OnCallInterval[], span: { from: number; to: number }): OnCallDifference[] {
  const cuts = new Set<number>([span.from, span.to]);
  for (const i of [...source, ...klaxon]) {
    if (i.start > span.from && i.start < span.to) cuts.add(i.start);
    if (i.end > span.from && i.end < span.to) cuts.add(i.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: OnCallDifference[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const start = must(points[k], 'points[k]');
    const end = must(points[k + 1], 'points[k + 1]');
    const s = at(source, start);
    const x = at(klaxon, start);
    if (key(s) === key(x)) continue;
    const last = out[out.length - 1];
    if (last && last.end === start && key(last.source) === key(s) && key(last.klaxon) === key(x)) last.end = end;
    else out.push({ schedule, start, end, source: s, klaxon: x });
  }
  return out;
}

/** Level by level, who the source and Klaxon would page for a service now. */
export function diffPaging(service: string, source: readonly { emails: readonly string[] }[], klaxon: readonly { emails: readonly string[] }[]): PagingDifference[] {
  const out: PagingDifference[] = [];
  for (let i = 0; i < Math.max(source.length, klaxon.length); i++) {
    const s = norm(source[i]?.emails ?? []);
    const x = norm(klaxon[i]?.emails ?? []);
    if (key(s) !== key(x)) out.push({ service, level: i + 1, source: s, klaxon: x });
  }
  return out;
}

/** A UTC time a person reads at a glance: 2026-12-08 09:00Z. */
export function utcMinute(t: number): string {
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

const people = (emails: readonly string[]) => (emails.length ? emails.join(', ') : 'nobody');

/** The comparison as text, one difference a line, for the terminal and the web app. */
export function formatCompare(r: CompareResult): string {
  const lines: string[] = [];
  lines.push(`Compared ${r.source} (${r.url}) with Klaxon from ${utcMinute(r.from)} to ${utcMinute(r.to)}; escalation as of ${utcMinute(r.at)}.`);
  for (const s of r.schedules) {
    const head = `Schedule "${s.schedule}" (source: ${s.source.name}, id ${s.source.id})`;
    if (!s.inKlaxon) lines.push(`${head}: not in Klaxon (import and apply it first)`);
    else if (!s.differences.length) lines.push(`${head}: same`);
    else {
      lines.push(`${head}: ${s.differences.length} difference${s.differences.length === 1 ? '' : 's'}`);
      for (const d of s.differences) lines.push(`  ${utcMinute(d.start)} – ${utcMinute(d.end)}  source: ${people(d.source)}  klaxon: ${people(d.klaxon)}`);
    }
    for (const n of s.notes) lines.push(`  note: ${n}`);
  }
  for (const s of r.services) {
    const head = `Service "${s.service}" (source: ${s.source.name}, id ${s.source.id})`;
    if (!s.inKlaxon) lines.push(`${head}: not in Klaxon (import and apply it first)`);
    else if (!s.differences.length) lines.push(`${head}: every level pages the same people`);
    else {
      lines.push(`${head}: ${s.differences.length} level${s.differences.length === 1 ? '' : 's'} differ`);
      for (const d of s.differences) lines.push(`  level ${d.level}  source: ${people(d.source)}  klaxon: ${people(d.klaxon)}`);
    }
  }
  lines.push(r.differences ? `${r.differences} schedule(s) or service(s) differ.` : 'No differences.');
  return `${lines.join('\n')}\n`;
}
