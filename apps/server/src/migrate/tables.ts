/** One import applied or one comparison run (migrations/0012-migration-runs.ts). */
export interface MigrationRunTable {
  id: string;
  kind: string;
  source: string;
  source_url: string;
  created_at: number;
  differences: number;
  /** JSON: counts and items of an import, or the whole comparison result. */
  summary: string;
  /** Markdown: the migration report, or the comparison as text. */
  report: string;
}
