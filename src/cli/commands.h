/*
 * commands.h - the top-level commands, one cmd_<name>.c each; main.c holds
 * the table that maps names to them.  Each takes argv with argv[0] being the
 * command name and returns the process exit code.
 */
#ifndef MAMORI_COMMANDS_H
#define MAMORI_COMMANDS_H

struct cli;

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_asset(struct cli *cli, int argc, char **argv);
int cmd_account(struct cli *cli, int argc, char **argv);
int cmd_journal(struct cli *cli, int argc, char **argv);
int cmd_system(struct cli *cli, int argc, char **argv);
int cmd_vendor(struct cli *cli, int argc, char **argv);
int cmd_contract(struct cli *cli, int argc, char **argv);
int cmd_document(struct cli *cli, int argc, char **argv);
int cmd_location(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_user(struct cli *cli, int argc, char **argv);
int cmd_eos(struct cli *cli, int argc, char **argv);
int cmd_checklist(struct cli *cli, int argc, char **argv);
int cmd_incident(struct cli *cli, int argc, char **argv);
int cmd_contact(struct cli *cli, int argc, char **argv);
int cmd_bcp(struct cli *cli, int argc, char **argv);
int cmd_drill(struct cli *cli, int argc, char **argv);
int cmd_log(struct cli *cli, int argc, char **argv);

/* The sheet commands of "mamori checklist" (cmd_checklist_sheet.c). */
int checklist_cli_import_edition(struct cli *cli, int argc, char **argv);
int checklist_cli_open(struct cli *cli, int argc, char **argv);
int checklist_cli_list(struct cli *cli, int argc, char **argv);
int checklist_cli_status(struct cli *cli, int argc, char **argv);
int checklist_cli_answer(struct cli *cli, int argc, char **argv);
int checklist_cli_clear(struct cli *cli, int argc, char **argv);
int checklist_cli_evidence(struct cli *cli, int argc, char **argv);
int checklist_cli_findings(struct cli *cli, int argc, char **argv);
int checklist_cli_request(struct cli *cli, int argc, char **argv);
int checklist_cli_submit(struct cli *cli, int argc, char **argv);
int checklist_cli_review(struct cli *cli, int argc, char **argv);
int checklist_cli_wording(struct cli *cli, int argc, char **argv);
int checklist_cli_export(struct cli *cli, int argc, char **argv);

#endif
