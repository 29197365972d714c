@sim @cloud @air
Feature: The WiFi itself: names, drops, an access point that goes away, a CA the module does not trust
  On a bench with a bench network (network: air: in its wiring file) the module joins an access point,
  gets its address from the bench's DHCP server, looks its servers' names up at the bench's DNS server
  and checks their certificates against the CA its firmware trusts. The rig breaks the WiFi itself:
  it deauthenticates the module, takes the access point off the air, or refuses the module's
  association. The virtual bench sim-chain-air proves it with the network double: the module lives in
  a network namespace of its own, the radio link is a veth pair, and dnsmasq serves DHCP and DNS.

  Background:
    Given the module is configured for vendor server "acme"

  Scenario: The module finds its servers by name through the bench's DHCP and DNS and connects over TLS
    Given the bench "sim-chain-air" is powered on
    Then the module is connected to vendor server "acme"
    And the module got its address from the bench's DHCP server
    And the bench's DNS server answered the module's lookup of "acme"'s name
    And the bench's DNS server answered the module's lookup of "hilrig-ota"'s name
    And the module's log says "vendor server 'acme': connected to acme.hilrig.test"

  Scenario: The module loses its WiFi at 50% of its own download and resumes with Range after it joins again
    Given the bench "sim-chain-air" is powered on
    And the module reports WiFi firmware "2.0.0" to the target server
    And the module will be deauthenticated from the access point when the module has downloaded 50% of its firmware
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting
    And the module resumed its download with a Range request from byte 30000 or later
    And the module's log says "WiFi lost"
    And every fault fired

  Scenario: The access point goes away during a chip campaign and the campaign ends in the state the server and every chip agree on
    Given the bench "sim-chain-air" is powered on
    And every chip runs version "1.0.0"
    And the module reports WiFi firmware "2.0.0" to the target server
    And the target server publishes version "1.1.0" for every chip
    And the access point will go away for 4000 ms at 50% of chip2's transfer
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And every fault fired
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And the module's log says "WiFi lost"

  Scenario: The access point refuses the module's association for a while and the module joins once it is let in
    Given the bench "sim-chain-air" is powered on
    And the module is connected to vendor server "acme"
    And the access point will refuse the module's association for 4000 ms after 0 ms
    Then the module's log says "association refused"
    And the module's log says "vendor server 'acme': connected to acme.hilrig.test" at least twice
    And every fault fired

  Scenario: A module given a wrong CA refuses the servers it finds by name and says so
    Given the module's firmware trusts another certificate authority
    And the bench "sim-chain-air" is powered on
    Then the module's log says "vendor server 'acme': TLS: refusing acme.hilrig.test" at least twice
    And the module's log says "target server 'hilrig-ota': TLS: refusing ota.hilrig.test"
    And the module's log says "is not signed by the CA it trusts (CN=Some other bench CA"
    And vendor server "acme" has no connection from the module
    And vendor server "hilrig-ota" has no connection from the module
