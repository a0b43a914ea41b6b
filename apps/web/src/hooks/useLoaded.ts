import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { asApiError, type ApiError } from '../api/http.js';

/**
 * What `load` answers, asked once when the component mounts: null until it
 * comes (and then changeable, as rows are added and removed), or the error it
 * failed with. An answer that arrives after the component has gone is dropped.
 */
export function useLoaded<T>(load: () => Promise<T>): [T | null, Dispatch<SetStateAction<T | null>>, ApiError | null] {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const first = useRef(load);

  useEffect(() => {
    let live = true;
    first.current().then(
      (v) => live && setValue(() => v),
      (err: unknown) => live && setError(asApiError(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  return [value, setValue, error];
}
