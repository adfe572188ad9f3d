// MiniWebApp pages: submit the forms to the JSON API and keep the user table in step, without a framework.
'use strict';

function formValues(form, { skipEmptyPassword }) {
  const values = {};
  for (const [key, value] of new FormData(form)) {
    if (key === 'password' && skipEmptyPassword && value === '') continue;
    values[key] = value;
  }
  return values;
}

function showError(form, body) {
  const box = form.querySelector('.form-error');
  const fieldMessages = body && body.fields ? Object.values(body.fields) : [];
  box.textContent = fieldMessages.length ? fieldMessages.join('; ') : (body && body.error) || 'request failed';
  box.hidden = false;
}

async function sendJson(method, url, payload) {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, body };
}

function userRow(user) {
  const row = document.createElement('tr');
  row.dataset.userId = String(user.id);
  for (const text of [user.name, user.email, user.username]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  const actions = document.createElement('td');
  actions.className = 'actions';
  const edit = document.createElement('a');
  edit.href = '/edit/' + user.id;
  edit.textContent = 'Edit';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.dataset.deleteUser = String(user.id);
  remove.textContent = 'Delete';
  actions.append(edit, ' ', remove);
  row.append(actions);
  return row;
}

function updateCount() {
  const count = document.getElementById('user-count');
  if (count) count.textContent = String(document.querySelectorAll('#user-rows tr').length);
}

const createForm = document.getElementById('create-user-form');
if (createForm) {
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { ok, body } = await sendJson('POST', '/api/users', formValues(createForm, { skipEmptyPassword: false }));
    if (!ok) return showError(createForm, body);
    createForm.reset();
    createForm.querySelector('.form-error').hidden = true;
    document.getElementById('user-rows').append(userRow(body));
    updateCount();
  });
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-delete-user]');
  if (!button) return;
  const row = button.closest('tr');
  const name = row ? row.querySelector('td').textContent : 'this user';
  if (!confirm('Delete ' + name + '?')) return;
  const { ok, body } = await sendJson('DELETE', '/api/users/' + button.dataset.deleteUser);
  if (!ok && !(body && body.error === 'user not found')) return alert((body && body.error) || 'delete failed');
  if (row) row.remove();
  updateCount();
});

const editForm = document.getElementById('edit-user-form');
if (editForm) {
  editForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const url = '/api/users/' + editForm.dataset.userId;
    const { ok, body } = await sendJson('PUT', url, formValues(editForm, { skipEmptyPassword: true }));
    if (!ok) return showError(editForm, body);
    window.location.href = '/';
  });
}
