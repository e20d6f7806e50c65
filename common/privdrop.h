/*
 * A daemon started as root becomes the user its configuration names ([general] user) before
 * it reads a packet or writes a file, as snmpd -u or ntpd -u do: files it makes then belong to
 * that user, and a flaw in a parser no longer hands out root. It keeps only the capabilities
 * it names (the probe: CAP_NET_RAW for ICMP), and with `ambient` keeps them across an exec
 * (the probe re-executes itself when its assignment changes). Call it before any thread
 * starts: capabilities are per thread.
 */
#ifndef HBMON_PRIVDROP_H
#define HBMON_PRIVDROP_H

#include <stddef.h>
#include <sys/capability.h>

struct privdrop {
	const char *user;	  /* "": stay as started */
	const cap_value_t *keep; /* capabilities kept (permitted, effective, inheritable) */
	size_t nkeep;
	int ambient; /* and kept across execve() */
};

/* 1: now running as the user; 0: nothing to do (not root, or no user named); -1: err says
 * why and how to fix it, and the process must stop (it may hold part of what it had). */
int privdrop(const struct privdrop *p, char *err, size_t errsz);

#endif
