import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { BUILT_IN_TASKS, withRegistered, type TaskCatalogue } from '@weft/core';
import type { WeftApi } from './api/weft-api';

/** The task types the editor offers and validates against. */
const TaskCatalogueContext = createContext<TaskCatalogue>(BUILT_IN_TASKS);

/** The built-in task types, and those registered at run time once they have been fetched. */
export function useTaskCatalogue(): TaskCatalogue {
  return useContext(TaskCatalogueContext);
}

/**
 * Fetches the registered task types once per session and offers them with the built-in ones.
 * Until they arrive, or if they cannot be fetched, the built-in ones alone: the editor still works,
 * and only a workflow naming a registered type shows it as unknown.
 */
export function TaskCatalogueProvider({ api, children }: { api: WeftApi; children: ReactNode }) {
  const [catalogue, setCatalogue] = useState<TaskCatalogue>(BUILT_IN_TASKS);
  useEffect(() => {
    let current = true;
    api.registeredTaskTypes().then(
      (registered) => {
        if (current && registered.length > 0) setCatalogue(withRegistered(registered));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);
  return (
    <TaskCatalogueContext.Provider value={catalogue}>{children}</TaskCatalogueContext.Provider>
  );
}
