/* cli_credentials.c — not implemented yet. */
#include <stdio.h>

#include "cli.h"

int cmd_credentials(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "apigwd %s: not implemented yet\n", argv[0]);
	return 2;
}

