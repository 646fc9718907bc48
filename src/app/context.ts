import { createContext } from '@lit/context';
import type { App } from './app.ts';

/** The running app, provided by the shell to every view. */
export const appContext = createContext<App | undefined>(Symbol('mycel-app'));
