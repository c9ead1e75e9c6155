# Writes a test message: mail_gen FILE FROM TO SUBJECT MESSAGE-ID DATE [ATTACHMENT-NAME] [EXTRA-HEADER]
# (sourced by the IMAP integration tests; DATE like "Mon, 05 Oct 2026 10:00:00 +0200").
mail_gen() {
	{
		printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n' \
			"$2" "$3" "$4" "$5" "$6"
		[ -n "${8:-}" ] && printf '%s\r\n' "$8"
		if [ -n "${7:-}" ]; then
			printf 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
			printf -- '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n'
			printf -- '--b1\r\nContent-Type: application/pdf; name="%s"\r\n' "$7"
			printf 'Content-Disposition: attachment; filename="%s"\r\n' "$7"
			printf 'Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n'
		else
			printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n'
		fi
	} > "$1"
}
