CREATE TABLE `pairings` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`group_id` text,
	`token_id` text,
	`claimed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pairings_code_idx` ON `pairings` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `pairings_token_hash_idx` ON `pairings` (`token_hash`);