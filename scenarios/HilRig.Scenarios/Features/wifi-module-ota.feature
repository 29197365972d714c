@sim @cloud
Feature: The WiFi module's own upgrade, from the target server only
  The target server compares the WiFi firmware version a module reports with the one it holds and,
  when they differ, sends an OTA instruction carrying the version: an older module is upgraded, and
  a newer one is brought back to the server's version (a bad release rolled back). The module
  downloads the image over HTTP (resuming with Range after any interruption), checks its SHA-256,
  writes it to its inactive slot, switches slots, reboots and reports the new version. A vendor
  server's own OTA unit is never obeyed. Control commands keep flowing through the vendor server all
  along.

  Background:
    Given the module is configured for vendor server "acme"
    And the bench is powered on
    And the module reports WiFi firmware "2.0.0" to the target server

  Scenario: A new WiFi firmware on the target server is installed, and the module reports it after rebooting
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting
    And the module downloaded the image exactly once, without any byte sent twice

  Scenario: A module already on the published version gets no instruction
    When the target server publishes WiFi firmware "2.0.0"
    Then the target server sent the module no OTA instruction within 3000 ms

  Scenario: A WiFi firmware rolled back on the target server is installed on a module that runs a newer one
    Given the target server has upgraded the module to WiFi firmware "2.1.0" in slot "B"
    When the target server publishes WiFi firmware "2.0.0"
    Then the module reports WiFi firmware "2.0.0" from slot "A" to the target server after rebooting into it

  Scenario: A vendor server's own OTA unit is ignored and the module says so
    When vendor server "acme"'s OTA unit pushes WiFi firmware "9.9.9" to the module
    Then the module's log says "ignored OTA instruction for 9.9.9 from vendor server 'acme'"
    And the target server receives the module's "ota-ignored" event
    And the module still runs WiFi firmware "2.0.0" from slot "A"

  Scenario: Control commands keep flowing through the vendor server while the module upgrades itself
    Given the WiFi link is limited to 32 KiB/s
    When the target server publishes WiFi firmware "2.1.0"
    And vendor server "acme" sends the module 5 "ping" commands while the module downloads its firmware
    Then every command was answered, each once
    And the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting

  Scenario: The network drops in the middle of the download and the download resumes where it stopped
    Given the network will go down for 3000 ms when the module has downloaded 50% of its firmware
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting
    And the module resumed its download with a Range request from byte 30000 or later
    And every fault fired

  Scenario: A download cut short by the server is resumed, not restarted
    Given the target server will cut the next firmware download after 20000 bytes
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting
    And the module resumed its download with a Range request from byte 20000 or later

  Scenario: Server errors are retried until the download succeeds
    Given the target server will answer the next 3 firmware requests with HTTP 500
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting

  Scenario: An image whose bytes do not match their SHA-256 is refused and the old firmware keeps running
    Given the target server will alter the bytes of the next firmware download
    When the target server publishes WiFi firmware "2.1.0"
    Then the target server receives the module's "module-upgrade-failed" event naming "SHA-256"
    And the module still runs WiFi firmware "2.0.0" from slot "A"

  Scenario: The module loses power in the middle of its download and resumes it after booting
    Given the WiFi link is limited to 32 KiB/s
    And the module will lose power for 1000 ms when the module has downloaded 50% of its firmware
    When the target server publishes WiFi firmware "2.1.0"
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting
    And the module resumed its download with a Range request from byte 30000 or later
