"""Customer master: accounts (organisations), contacts, consumers (loyalty members), relations."""
