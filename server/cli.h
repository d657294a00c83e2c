/* cli.h — the administrative commands of the apigwd binary (`apigwd COMMAND ...`). Each takes
 * argv with argv[0] = the command's name and returns the process exit status. */
#ifndef APIGWD_CLI_H
#define APIGWD_CLI_H

int cmd_credentials(int argc, char **argv); /* cli_credentials.c */
int cmd_export(int argc, char **argv);	    /* cli_admin.c */
int cmd_import(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_template(int argc, char **argv); /* cli_template.c */

#endif
