import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import { theme } from '../components/theme.ts';
import { formText } from './form-text.ts';
import '../components/identity-import-form.ts';
import type { IdentityImportDetail } from '../components/identity-import-form.ts';

/** First run: create an identity, or bring one from another browser. */
@customElement('mycel-onboarding-view')
export class OnboardingView extends LitElement {
  static override styles = theme;

  @consume({ context: appContext }) private app?: App;
  @state() private createError = '';
  @state() private importError = '';
  @state() private busy = false;

  override render() {
    return html`<h1>Welcome to Mycel</h1>
      <p>
        Mycel links your browser straight to your friends' browsers: groups, chat and files, with no server
        keeping your data. Everything you have stays in this browser.
      </p>
      <form class="card" @submit=${this.create} aria-labelledby="create-heading">
        <h2 id="create-heading">Create your identity</h2>
        <div class="field">
          <label for="name">Display name</label>
          <input id="name" name="name" autocomplete="nickname" maxlength="64" required />
          <p class="help">Shown to the people you chat with. You can change it later.</p>
        </div>
        <p class="error" role="alert">${this.createError}</p>
        <button class="primary" type="submit" ?disabled=${this.busy}>Create identity</button>
      </form>
      <section class="card" aria-labelledby="import-heading">
        <h2 id="import-heading">Already use Mycel elsewhere?</h2>
        <p class="help">Import the identity file you exported there.</p>
        <mycel-identity-import-form
          .error=${this.importError}
          .busy=${this.busy}
          @identity-import=${this.import}
        ></mycel-identity-import-form>
      </section>`;
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = formText(event.target as HTMLFormElement, 'name');
    await this.run((app) => app.createIdentity(name), 'create');
  }

  private async import(event: CustomEvent<IdentityImportDetail>): Promise<void> {
    const { file, passphrase } = event.detail;
    await this.run((app) => app.importIdentity(file, passphrase), 'import');
  }

  private async run(action: (app: App) => Promise<unknown>, which: 'create' | 'import'): Promise<void> {
    if (this.app === undefined) return;
    this.busy = true;
    this.createError = '';
    this.importError = '';
    try {
      await action(this.app);
    } catch (error) {
      if (which === 'create') this.createError = messageOf(error);
      else this.importError = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-onboarding-view': OnboardingView;
  }
}
