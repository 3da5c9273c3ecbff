-- Web console sign-in (docs/console.md): a password per member, signed-in sessions, invite links.

-- One password per member; the hash is argon2id in PHC form (it carries its own salt and parameters).
create table member_passwords (
  member_id     bigint primary key references members (member_id),
  account_id    bigint not null references accounts (account_id),
  password_hash text   not null,
  updated_at    bigint not null
);

-- A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored, as for app keys.
create table console_sessions (
  session_hash text   primary key,
  account_id   bigint not null references accounts (account_id),
  member_id    bigint not null references members (member_id),
  -- Sent back by the console in a header on every call: a cross-site page cannot read it.
  csrf_token   text   not null,
  created_at   bigint not null,
  last_seen_at bigint not null,
  expires_at   bigint not null
);
create index console_sessions_member_idx on console_sessions (member_id);
create index console_sessions_expiry_idx on console_sessions (expires_at);

-- A single-use link with which an invited member sets their password.
create table console_invites (
  token_hash  text   primary key,
  account_id  bigint not null references accounts (account_id),
  member_id   bigint not null references members (member_id),
  created_by  bigint not null,
  created_at  bigint not null,
  expires_at  bigint not null,
  used_at     bigint not null default 0
);
create index console_invites_member_idx on console_invites (member_id);
