import type { PublicUser } from './users.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · MiniWebApp</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header><a href="/">MiniWebApp</a></header>
<main>
${body}
</main>
</body>
</html>`;
}

function userFormFields(user?: PublicUser): string {
  const value = (field: 'name' | 'email' | 'username') => (user ? ` value="${escapeHtml(user[field])}"` : '');
  const passwordHint = user ? 'leave empty to keep the current password' : 'at least 8 characters';
  return `
<label>Name <input name="name" required maxlength="100"${value('name')}></label>
<label>Email <input name="email" type="email" required maxlength="254"${value('email')}></label>
<label>Username <input name="username" required minlength="3" maxlength="32"${value('username')}></label>
<label>Password <input name="password" type="password" ${user ? '' : 'required '}minlength="8" maxlength="128" placeholder="${passwordHint}"></label>
<p class="form-error" role="alert" hidden></p>`;
}

export function userRow(user: PublicUser): string {
  return `<tr data-user-id="${user.id}">
<td>${escapeHtml(user.name)}</td><td>${escapeHtml(user.email)}</td><td>${escapeHtml(user.username)}</td>
<td class="actions"><a href="/edit/${user.id}">Edit</a> <button type="button" data-delete-user="${user.id}">Delete</button></td>
</tr>`;
}

export function renderHomePage(users: PublicUser[]): string {
  return layout(
    'Users',
    `<section>
<h1>Create a user</h1>
<form id="create-user-form">${userFormFields()}
<button type="submit">Create user</button>
</form>
</section>
<section>
<h2>Users (<span id="user-count">${users.length}</span>)</h2>
<table>
<thead><tr><th>Name</th><th>Email</th><th>Username</th><th></th></tr></thead>
<tbody id="user-rows">${users.map(userRow).join('\n')}</tbody>
</table>
</section>`,
  );
}

export function renderEditPage(user: PublicUser): string {
  return layout(
    `Edit ${user.username}`,
    `<section>
<h1>Edit ${escapeHtml(user.username)}</h1>
<form id="edit-user-form" data-user-id="${user.id}">${userFormFields(user)}
<button type="submit">Save</button> <a href="/">Cancel</a>
</form>
</section>`,
  );
}

export function renderNotFoundPage(): string {
  return layout('Not found', '<h1>Not found</h1><p>No such page or user. <a href="/">Back to the users</a></p>');
}
