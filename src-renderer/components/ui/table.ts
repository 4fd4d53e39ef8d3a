/** A DataTable column; `sortable` defaults to true. */
export interface TableColumn { id: string; label: string; title?: string; numeric?: boolean; sortable?: boolean }
