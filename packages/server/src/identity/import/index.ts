export { ImportFileError, IMPORT_COLUMNS, ImportRowSchema, PLAINTEXT_REFUSED, type ImportRow, type ParsedRow } from './import-record.js';
export { detectFormat, IMPORT_FORMATS, parseImportFile, type ImportFormat, type ParseImportOptions } from './parse-import-file.js';
export { parseFirebaseParams } from './parse-firebase.js';
export type { FirebaseHashParams } from './password-hashes.js';
export { validateRows, type ImportRecord, type RowProblem, type ValidationResult } from './validate-rows.js';
export { planChange, type ConflictPolicy, type PlannedChange } from './plan-change.js';
export { DEFAULT_BATCH_SIZE, ImportBatchError, importUsers, type ImportDeps, type ImportOptions, type ImportSummary } from './import-users.js';
export { EXPORT_FORMATS, formatExport, toExportRow, type ExportFormat, type ExportRow } from './export-users.js';
