// The contact's referral link with a Copy button (cards have no clipboard of their own; the
// host's copyTextToClipboard needs the click as its user gesture).
import { Button, Flex, Link, Text } from '@hubspot/ui-extensions';

export function ReferralLink({ link, onCopy }: { link: string; onCopy: () => void }) {
  return (
    <Flex direction="row" gap="sm" align="center" wrap="wrap">
      <Text format={{ fontWeight: 'demibold' }} inline>
        Referral link
      </Text>
      <Link href={{ url: link, external: true }} testId="referral-link">
        {link}
      </Link>
      <Button testId="copy-link" size="sm" variant="secondary" onClick={onCopy}>
        Copy link
      </Button>
    </Flex>
  );
}
