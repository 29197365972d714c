Feature: Output and disposal

  Scenario: Reqnroll's output helper writes into the report
    Given the QA library logs "hello from the QA library" and attaches a file

  Scenario: A driver whose DisposeAsync throws
    Given a driver that fails to stop is used

  Scenario: A resource whose Dispose throws
    Given a resource that fails to close is used
