// One sign-in in progress (first sign-in, another account, re-authorize):
// the "waiting for your browser" state, Cancel, and the error to show.
// Shared by the onboarding screen, the accounts screen and the scope banner.

import type { Backend, SignInOutcome, UserError } from './types';
import { failedSignIn } from './api';

export class SignInFlow {
  /** True while the backend waits for the user to finish in the browser. */
  waiting = $state(false);
  /** True after Cancel, until the sign-in call returns. */
  cancelling = $state(false);
  /** The last failure, null when none (or after the user cancelled). */
  error = $state<UserError | null>(null);

  #backend: Pick<Backend, 'CancelSignIn'>;

  constructor(backend: Pick<Backend, 'CancelSignIn'>) {
    this.#backend = backend;
  }

  /**
   * Runs one sign-in call. Resolves with its outcome, or null when another
   * one is already running. A cancel by the user is not an error to show.
   */
  async run(signIn: () => Promise<SignInOutcome>): Promise<SignInOutcome | null> {
    if (this.waiting) return null;
    this.waiting = true;
    this.cancelling = false;
    this.error = null;
    try {
      let o: SignInOutcome;
      try {
        o = await signIn();
      } catch (err) {
        o = { ok: false, error: failedSignIn((err as Error).message) };
      }
      if (!o.ok) {
        const quiet = this.cancelling && (!o.error || o.error.code === 'cancelled' || o.error.code === 'timeout');
        this.error = quiet ? null : (o.error ?? failedSignIn('Rapport could not complete the sign-in.'));
      }
      return o;
    } finally {
      this.waiting = false;
      this.cancelling = false;
    }
  }

  /** Asks the backend to stop waiting for the browser; run() then resolves. */
  async cancel() {
    if (!this.waiting || this.cancelling) return;
    this.cancelling = true;
    try {
      await this.#backend.CancelSignIn();
    } catch (err) {
      this.cancelling = false;
      this.error = failedSignIn((err as Error).message);
    }
  }

  clear() {
    this.error = null;
  }
}
