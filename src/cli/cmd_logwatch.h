/*
 * cmd_logwatch.h - the detections of the access-log vault from the command
 * line: "mamori log alerts …", "mamori log watch …", "mamori log settings …"
 * (cmd_logwatch.c).  cmd_log.c dispatches to them; each receives argv with
 * argv[0] the word it was called by ("alerts", "watch", "settings") and
 * returns the exit code.
 */
#ifndef MAMORI_CMD_LOGWATCH_H
#define MAMORI_CMD_LOGWATCH_H

struct cli;

/* mamori log alerts [list options] | alerts ack ID [--note TEXT] */
int cmd_log_alerts(struct cli *cli, int argc, char **argv);
/* mamori log watch list | add PATIENT --reason R [--note N] | remove PATIENT */
int cmd_log_watch(struct cli *cli, int argc, char **argv);
/* mamori log settings [show [--format json]] | settings set KEY VALUE */
int cmd_log_settings(struct cli *cli, int argc, char **argv);

#endif
