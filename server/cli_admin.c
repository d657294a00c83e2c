/* cli_admin.c — not implemented yet. */
#include <stdio.h>

#include "cli.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "apigwd %s: not implemented yet\n", argv[0]);
	return 2;
}

int cmd_import(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "apigwd %s: not implemented yet\n", argv[0]);
	return 2;
}

int cmd_backup(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "apigwd %s: not implemented yet\n", argv[0]);
	return 2;
}

int cmd_restore(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "apigwd %s: not implemented yet\n", argv[0]);
	return 2;
}

