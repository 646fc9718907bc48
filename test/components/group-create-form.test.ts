import { expect } from 'chai';
import '../../src/components/group-create-form.ts';
import type { CreateGroupDetail, GroupCreateForm } from '../../src/components/group-create-form.ts';

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(): Promise<{ form: GroupCreateForm; created: CreateGroupDetail[] }> {
  const form = document.createElement('mycel-group-create-form');
  document.body.append(form);
  mounted.push(form);
  await form.updateComplete;
  const created: CreateGroupDetail[] = [];
  form.addEventListener('create-group', (e) => created.push((e as CustomEvent<CreateGroupDetail>).detail));
  return { form, created };
}

function root(form: GroupCreateForm): ShadowRoot {
  if (form.shadowRoot === null) throw new Error('no shadow root');
  return form.shadowRoot;
}

function labelled(form: GroupCreateForm, name: string): HTMLElement {
  const label = [...root(form).querySelectorAll('label')].find((l) => l.textContent.trim().startsWith(name));
  const control = label?.control;
  if (control === null || control === undefined) throw new Error(`no control labelled ${name}`);
  return control;
}

function createButton(form: GroupCreateForm): HTMLButtonElement {
  const found = [...root(form).querySelectorAll('button')].find(
    (b) => b.textContent.trim() === 'Create group',
  );
  if (found === undefined) throw new Error('no Create group button');
  return found;
}

function swatches(form: GroupCreateForm): HTMLInputElement[] {
  const fieldset = root(form).querySelector('fieldset');
  expect(fieldset?.querySelector('legend')?.textContent).to.equal('Colour');
  return [...(fieldset?.querySelectorAll<HTMLInputElement>('input[type="radio"]') ?? [])];
}

describe('mycel-group-create-form', () => {
  it('creates a group with the trimmed name and description and the default colour', async () => {
    const { form, created } = await mount();
    const name = labelled(form, 'Group name') as HTMLInputElement;
    expect(name.maxLength).to.equal(64);
    name.value = '  Book club  ';
    const description = labelled(form, 'Description') as HTMLTextAreaElement;
    expect(description.maxLength).to.equal(500);
    description.value = ' Monthly reads ';
    createButton(form).click();
    expect(created).to.deep.equal([{ name: 'Book club', description: 'Monthly reads', colour: '#1f6f5c' }]);
  });

  it('offers 8 named colours and sends the chosen one', async () => {
    const { form, created } = await mount();
    const radios = swatches(form);
    expect(radios).to.have.length(8);
    expect(radios[0]?.checked).to.equal(true);
    expect(radios.every((radio) => /^#[0-9a-f]{6}$/.test(radio.value) && radio.ariaLabel !== null)).to.equal(
      true,
    );
    radios[3]?.click();
    (labelled(form, 'Group name') as HTMLInputElement).value = 'Band';
    createButton(form).click();
    expect(created.map((detail) => detail.colour)).to.deep.equal([radios[3]?.value]);
  });

  it('shows a field error instead of sending an empty or blank name', async () => {
    const { form, created } = await mount();
    const name = labelled(form, 'Group name') as HTMLInputElement;
    name.value = '   ';
    createButton(form).click();
    await form.updateComplete;
    expect(created).to.deep.equal([]);
    expect(name.getAttribute('aria-invalid')).to.equal('true');
    const error = root(form).getElementById(name.getAttribute('aria-describedby') ?? '');
    expect(error?.textContent).to.equal('Give the group a name.');
    expect(root(form).activeElement).to.equal(name);
  });

  it('disables the button while busy', async () => {
    const { form } = await mount();
    form.busy = true;
    await form.updateComplete;
    expect(createButton(form).disabled).to.equal(true);
  });
});
