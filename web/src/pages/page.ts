export interface Route {
  segments: string[];
  query: URLSearchParams;
}

/// An open page. `refresh` redraws it from the latest snapshot keeping what the user chose.
export interface Page {
  refresh(): Promise<void>;
  dispose?(): void;
}
