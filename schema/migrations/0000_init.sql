CREATE TABLE `artifacts` (
	`job_id` text NOT NULL,
	`kind` text NOT NULL,
	`r2_key` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `artifacts_job_kind_idx` ON `artifacts` (`job_id`,`kind`);--> statement-breakpoint
CREATE TABLE `drawings` (
	`id` text PRIMARY KEY NOT NULL,
	`sha256` text NOT NULL,
	`filename` text NOT NULL,
	`size` integer NOT NULL,
	`file_kind` text NOT NULL,
	`r2_key` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `drawings_sha_idx` ON `drawings` (`sha256`);--> statement-breakpoint
CREATE TABLE `job_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`stage` text NOT NULL,
	`percent` integer NOT NULL,
	`message` text,
	`at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `job_events_job_idx` ON `job_events` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`drawing_id` text NOT NULL,
	`dedup_key` text NOT NULL,
	`options` text NOT NULL,
	`capability` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`lease_owner` text,
	`lease_expires_at` integer,
	`fence` integer DEFAULT 0 NOT NULL,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`progress_stage` text,
	`progress_percent` integer,
	`progress_message` text,
	`error_code` text,
	`error_message` text,
	`outcome` text,
	`model_id` text,
	`target_group_id` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`drawing_id`) REFERENCES `drawings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (`status`,`capability`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_dedup_idx` ON `jobs` (`dedup_key`);--> statement-breakpoint
CREATE TABLE `kiosk_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`published_model_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`drawing_id` text NOT NULL,
	`dedup_key` text NOT NULL,
	`glb_key` text NOT NULL,
	`glb_sha256` text NOT NULL,
	`glb_size` integer NOT NULL,
	`report_key` text,
	`preview_key` text,
	`stats` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_dedup_idx` ON `models` (`dedup_key`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`role` text,
	`group_id` text,
	`name` text NOT NULL,
	`capabilities` text,
	`hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`group_id`) REFERENCES `kiosk_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_idx` ON `tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`created_by` text NOT NULL,
	`filename` text NOT NULL,
	`length` integer NOT NULL,
	`offset` integer DEFAULT 0 NOT NULL,
	`file_kind` text,
	`r2_key` text NOT NULL,
	`multipart_upload_id` text,
	`parts` text DEFAULT '[]' NOT NULL,
	`hash_state` blob,
	`tail_key` text,
	`tail_length` integer DEFAULT 0 NOT NULL,
	`declared_sha256` text,
	`options` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`locked_until` integer,
	`drawing_id` text,
	`job_id` text,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `uploads_status_idx` ON `uploads` (`status`,`expires_at`);