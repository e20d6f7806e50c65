/* Hand-built Ethernet frames for the LAN-watch unit tests (test_lanframe, test_hosttable). */
#ifndef HBMON_TEST_LANFRAME_BUILD_H
#define HBMON_TEST_LANFRAME_BUILD_H

#include <stdint.h>
#include <string.h>

struct fb {
	uint8_t b[2048];
	size_t n;
};

static inline void fb_u8(struct fb *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static inline void fb_u16(struct fb *f, unsigned v)
{
	fb_u8(f, v >> 8);
	fb_u8(f, v & 0xff);
}
static inline void fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, v >> 16);
	fb_u16(f, v & 0xffff);
}
static inline void fb_put(struct fb *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}
static inline void fb_str(struct fb *f, const char *s) { fb_put(f, s, strlen(s)); }

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t LLDP_DST[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
static const uint8_t CDP_DST[6] = {0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc};

static inline void fb_eth(struct fb *f, const uint8_t *dst, const uint8_t *src, unsigned type)
{
	f->n = 0;
	fb_put(f, dst, 6);
	fb_put(f, src, 6);
	fb_u16(f, type);
}

static inline void fb_arp(struct fb *f, const uint8_t *mac, uint32_t ip)
{
	fb_eth(f, BCAST, mac, 0x0806);
	fb_u16(f, 1);
	fb_u16(f, 0x0800);
	fb_u8(f, 6);
	fb_u8(f, 4);
	fb_u16(f, 1);
	fb_put(f, mac, 6);
	fb_u32(f, ip);
	fb_put(f, "\0\0\0\0\0\0", 6);
	fb_u32(f, 0x0a000001); /* who has 10.0.0.1: the target, never recorded */
}

/* IPv4 + UDP headers for a payload of plen bytes that the caller appends. */
static inline void fb_udp(struct fb *f, uint32_t src, uint32_t dst, unsigned sport,
			  unsigned dport, size_t plen)
{
	fb_u8(f, 0x45);
	fb_u8(f, 0);
	fb_u16(f, (unsigned)(20 + 8 + plen));
	fb_u32(f, 0);
	fb_u8(f, 64);
	fb_u8(f, 17);
	fb_u16(f, 0);
	fb_u32(f, src);
	fb_u32(f, dst);
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u16(f, (unsigned)(8 + plen));
	fb_u16(f, 0);
}

/* A DHCP client message (op 1) from mac with the given options (code, len, value...) and END. */
static inline void fb_dhcp(struct fb *f, const uint8_t *mac, unsigned op, uint32_t yiaddr,
			   const uint8_t *opts, size_t optlen)
{
	fb_eth(f, BCAST, mac, 0x0800);
	fb_udp(f, 0, 0xffffffffu, op == 1 ? 68 : 67, op == 1 ? 67 : 68, 240 + optlen);
	size_t start = f->n;
	memset(f->b + f->n, 0, 236);
	f->b[start] = (uint8_t)op;
	f->b[start + 1] = 1;
	f->b[start + 2] = 6;
	f->n += 16;
	fb_u32(f, yiaddr);
	f->n = start + 28;
	fb_put(f, mac, 6);
	f->n = start + 236;
	fb_u32(f, 0x63825363);
	fb_put(f, opts, optlen);
}

static inline void fb_tlv(struct fb *f, unsigned type, const void *v, size_t len)
{
	fb_u16(f, (unsigned)(type << 9 | len));
	fb_put(f, v, len);
}

/* An LLDP frame from mac: chassis (MAC), port id (interface name), TTL; the caller adds more
 * TLVs and the END. */
static inline void fb_lldp(struct fb *f, const uint8_t *mac, const char *port)
{
	uint8_t ch[7] = {4};
	memcpy(ch + 1, mac, 6);
	uint8_t pid[64] = {5};
	size_t pl = strlen(port);
	memcpy(pid + 1, port, pl);
	fb_eth(f, LLDP_DST, mac, 0x88cc);
	fb_tlv(f, 1, ch, 7);
	fb_tlv(f, 2, pid, pl + 1);
	fb_tlv(f, 3, "\0\x78", 2);
}

/* A CDP frame's 802.3 + LLC/SNAP + CDP header; fb_cdp_end fixes the 802.3 length. */
static inline void fb_cdp(struct fb *f, const uint8_t *mac)
{
	static const uint8_t snap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};
	fb_eth(f, CDP_DST, mac, 0);
	fb_put(f, snap, sizeof(snap));
	fb_u8(f, 2);
	fb_u8(f, 180);
	fb_u16(f, 0);
}

static inline void fb_cdp_tlv(struct fb *f, unsigned type, const void *v, size_t len)
{
	fb_u16(f, type);
	fb_u16(f, (unsigned)(len + 4));
	fb_put(f, v, len);
}

static inline void fb_cdp_end(struct fb *f)
{
	unsigned len = (unsigned)(f->n - 14);
	f->b[12] = (uint8_t)(len >> 8);
	f->b[13] = (uint8_t)len;
}

#endif
